/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit keygen: a new key file for consent_keys, one line
 * "KID SECRET" (docs/cookie-format.md#key-file) with 32 random bytes from
 * OpenSSL's generator, created with mode 0600.  An existing file is never
 * overwritten: it may hold the key that signs every cookie in use.
 */


#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "consent_ascii.h"
#include "consent_token.h"
#include "consent-keygen.h"


#define KEYGEN_OK        0
#define KEYGEN_EXISTS    1
#define KEYGEN_USAGE     2
#define KEYGEN_IO        3

#define KEYGEN_BYTES     32
#define KEYGEN_B64_LEN   (4 * ((KEYGEN_BYTES + 2) / 3))
#define KEYGEN_KID_MAX   CONSENT_KID_MAX


static int keygen_kid_ok(const char *kid);
static int keygen_usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int keygen_line(const char *kid, char *line, size_t size);
static int keygen_write(const char *path, const char *line, size_t len);
static int keygen_write_all(int fd, const char *p, size_t len);


const char consent_keygen_help[] =
"usage: consent-audit keygen [--kid KID] FILE\n"
"\n"
"Writes a new key file for the consent_keys directive: one line\n"
"\"KID SECRET\", SECRET the base64 of 32 random bytes from OpenSSL's\n"
"generator.  FILE is created with mode 0600 (owner only); an existing\n"
"FILE is never overwritten.  FILE \"-\" writes the line to standard\n"
"output, e.g. to put a new key first when rotating keys.\n"
"\n"
"options:\n"
"  --kid KID   the key id: 1 to 8 characters of a-z and 0-9 (default k1)\n"
"  --help      this text\n"
"\n"
"exit status: 0 written, 1 FILE exists (left as it is), 2 usage,\n"
"3 I/O error.\n";


int
consent_keygen_main(int argc, char **argv)
{
    int          i, rc, opts;
    char         line[KEYGEN_KID_MAX + 1 + KEYGEN_B64_LEN + 2];
    const char  *kid, *path;

    kid = "k1";
    path = NULL;
    opts = 1;

    for (i = 0; i < argc; i++) {

        if (opts && strcmp(argv[i], "--") == 0) {
            opts = 0;
            continue;
        }

        if (opts && (strcmp(argv[i], "--help") == 0
                     || strcmp(argv[i], "-h") == 0))
        {
            fputs(consent_keygen_help, stdout);
            return KEYGEN_OK;
        }

        if (opts && strcmp(argv[i], "--kid") == 0) {
            if (i + 1 == argc) {
                return keygen_usage("--kid needs a value");
            }

            kid = argv[++i];
            continue;
        }

        if (opts && strncmp(argv[i], "--kid=", 6) == 0) {
            kid = argv[i] + 6;
            continue;
        }

        if (opts && argv[i][0] == '-' && argv[i][1] != '\0') {
            return keygen_usage("unknown option \"%s\"", argv[i]);
        }

        if (path != NULL) {
            return keygen_usage("one FILE only, \"%s\" is one more", argv[i]);
        }

        path = argv[i];
    }

    if (path == NULL) {
        return keygen_usage("no FILE given");
    }

    if (!keygen_kid_ok(kid)) {
        return keygen_usage("--kid: \"%s\" is not 1 to 8 characters of "
                            "a-z and 0-9", kid);
    }

    if (keygen_line(kid, line, sizeof(line)) != 0) {
        OPENSSL_cleanse(line, sizeof(line));
        return KEYGEN_IO;
    }

    if (strcmp(path, "-") == 0) {
        rc = keygen_write_all(STDOUT_FILENO, line, strlen(line));
        if (rc != 0) {
            fprintf(stderr, "consent-audit keygen: standard output: %s\n",
                    strerror(errno));
        }

        OPENSSL_cleanse(line, sizeof(line));
        return rc == 0 ? KEYGEN_OK : KEYGEN_IO;
    }

    rc = keygen_write(path, line, strlen(line));
    OPENSSL_cleanse(line, sizeof(line));

    return rc;
}


static int
keygen_kid_ok(const char *kid)
{
    return consent_ascii_word(kid, strlen(kid), KEYGEN_KID_MAX, -1);
}


static int
keygen_usage(const char *fmt, ...)
{
    va_list  args;

    fputs("consent-audit keygen: ", stderr);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputs("\n\nrun \"consent-audit keygen --help\" for its usage\n", stderr);

    return KEYGEN_USAGE;
}


/* "KID SECRET\n", checked with the parser nginx itself uses */
static int
keygen_line(const char *kid, char *line, size_t size)
{
    int                n;
    char               err[256];
    unsigned char      secret[KEYGEN_BYTES];
    unsigned char      b64[KEYGEN_B64_LEN + 1];
    consent_keyset_t  *ks;

    if (RAND_bytes(secret, sizeof(secret)) != 1) {
        fputs("consent-audit keygen: OpenSSL's random generator failed\n",
              stderr);
        return -1;
    }

    (void) EVP_EncodeBlock(b64, secret, sizeof(secret));
    OPENSSL_cleanse(secret, sizeof(secret));

    n = snprintf(line, size, "%s %s\n", kid, (char *) b64);
    OPENSSL_cleanse(b64, sizeof(b64));

    if (n < 0 || (size_t) n >= size) {
        fputs("consent-audit keygen: key line too long\n", stderr);
        return -1;
    }

    ks = consent_keyset_parse(line, (size_t) n, "new key", err, sizeof(err));
    if (ks == NULL) {
        fprintf(stderr, "consent-audit keygen: %s\n", err);
        return -1;
    }

    consent_keyset_free(ks);

    return 0;
}


/*
 * O_EXCL: never an existing file, nor a symbolic link's target; the mode
 * is set again after the umask
 */
static int
keygen_write(const char *path, const char *line, size_t len)
{
    int  fd, err;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              S_IRUSR | S_IWUSR);

    if (fd == -1) {
        if (errno == EEXIST) {
            fprintf(stderr, "consent-audit keygen: %s exists, left as it is "
                    "(it may hold the key of the cookies in use); remove it "
                    "first to replace it\n", path);
            return KEYGEN_EXISTS;
        }

        fprintf(stderr, "consent-audit keygen: %s: %s\n", path,
                strerror(errno));
        return KEYGEN_IO;
    }

    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0
        || keygen_write_all(fd, line, len) != 0
        || fsync(fd) != 0)
    {
        err = errno;
        (void) close(fd);
        (void) unlink(path);
        fprintf(stderr, "consent-audit keygen: %s: %s\n", path,
                strerror(err));
        return KEYGEN_IO;
    }

    if (close(fd) != 0) {
        err = errno;
        (void) unlink(path);
        fprintf(stderr, "consent-audit keygen: %s: %s\n", path,
                strerror(err));
        return KEYGEN_IO;
    }

    fprintf(stderr, "consent-audit keygen: wrote %s (mode 0600)\n", path);

    return KEYGEN_OK;
}


static int
keygen_write_all(int fd, const char *p, size_t len)
{
    ssize_t  n;

    while (len > 0) {
        n = write(fd, p, len);

        if (n == -1) {
            if (errno == EINTR) {
                continue;
            }

            return -1;
        }

        p += n;
        len -= (size_t) n;
    }

    return 0;
}
