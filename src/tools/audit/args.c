
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The command line of every subcommand: options before, between or
 * after the files, the usage errors, the files and the key file checked
 * before anything is read.
 */


#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/audit/audit.h"


static int audit_arg_is_id(const char *arg);


int
audit_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list  args;

    fputs("consent-audit: ", stderr);

    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);

    if (cmd) {
        fprintf(stderr, "\nrun \"consent-audit %s --help\" for its usage\n",
                cmd);

    } else {
        fputs("\nrun \"consent-audit --help\" for the usage\n", stderr);
    }

    return AUDIT_USAGE;
}


/* every command's options; each command takes a set of them (opts) */
static const audit_opt_t  audit_opts[] = {
    { "--help", 0, OPT_HELP },
    { "--json", 0, OPT_JSON },
    { "--keys", 1, OPT_KEYS },
    { "--partial", 0, OPT_PARTIAL },
    { "--cookie", 1, OPT_COOKIE },
    { "--cookie-name", 1, OPT_COOKIE_NAME },
    { "--since", 1, OPT_SINCE },
    { "--until", 1, OPT_UNTIL },
    { "--by", 1, OPT_BY },
    { "--format", 1, OPT_FORMAT },
    { "--html", 1, OPT_HTML },
    { "--policy", 1, OPT_POLICY },
    { "--inventory", 1, OPT_INVENTORY },
    { "--lang", 1, OPT_LANG },
    { "--site", 1, OPT_SITE },
    { "--hosts", 0, OPT_HOSTS },
    { NULL, 0, 0 }
};


/*
 * A consent id (22 base64url characters) is an operand even when it
 * starts with '-' (one in 64 does): "show -Wuhrv0n..." must not need a
 * "--" first.  Only an argument that is no option of the command is
 * taken so.
 */

static int
audit_arg_is_id(const char *arg)
{
    size_t  i;

    for (i = 0; arg[i]; i++) {
        if (!((arg[i] >= 'A' && arg[i] <= 'Z') || (arg[i] >= 'a'
              && arg[i] <= 'z') || (arg[i] >= '0' && arg[i] <= '9')
              || arg[i] == '-' || arg[i] == '_'))
        {
            return 0;
        }
    }

    return i == CONSENT_ID_B64_LEN;
}


/*
 * Options may come before, between or after the operands ("--" ends
 * them); "--name value" and "--name=value" both work.  opts: the set of
 * AUDIT_OPT(OPT_...) the command takes, --help always.  Returns -1
 * after printing --help, AUDIT_USAGE on a usage error, else 0.
 */
int
audit_parse_args(audit_t *a, int argc, char **argv, unsigned opts)
{
    int                 i, j;
    size_t              n;
    char               *arg, *eq, *val;
    const audit_opt_t  *o;

    a->files = calloc(argc + 1, sizeof(char *));
    if (a->files == NULL) {
        fputs("consent-audit: out of memory\n", stderr);
        return AUDIT_IO;
    }

    a->nfiles = 0;
    opts |= AUDIT_OPT(OPT_HELP);

    for (i = 0; i < argc; i++) {
        arg = argv[i];

        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++) {
                a->files[a->nfiles++] = argv[i];
            }

            break;
        }

        if (arg[0] != '-' || arg[1] == '\0') {
            a->files[a->nfiles++] = arg;
            continue;
        }

        if (strcmp(arg, "-h") == 0) {
            audit_help(a->cmd);
            return -1;
        }

        if (arg[1] != '-') {
            if (audit_arg_is_id(arg)) {
                a->files[a->nfiles++] = arg;
                continue;
            }

            return audit_usage_error(a->cmd, "unknown option \"%s\"", arg);
        }

        eq = strchr(arg, '=');
        n = eq ? (size_t) (eq - arg) : strlen(arg);

        o = NULL;

        for (j = 0; audit_opts[j].name; j++) {
            if ((opts & AUDIT_OPT(audit_opts[j].id))
                && strlen(audit_opts[j].name) == n
                && strncmp(audit_opts[j].name, arg, n) == 0)
            {
                o = &audit_opts[j];
                break;
            }
        }

        if (o == NULL) {
            if (audit_arg_is_id(arg)) {
                a->files[a->nfiles++] = arg;
                continue;
            }

            return audit_usage_error(a->cmd, "unknown option \"%.*s\"",
                                     (int) n, arg);
        }

        val = NULL;

        if (o->has_arg) {
            if (eq) {
                val = eq + 1;

            } else if (i + 1 < argc) {
                val = argv[++i];

            } else {
                return audit_usage_error(a->cmd, "%s needs a value",
                                         o->name);
            }

        } else if (eq) {
            return audit_usage_error(a->cmd, "%s takes no value", o->name);
        }

        switch (o->id) {

        case OPT_HELP:
            audit_help(a->cmd);
            return -1;

        case OPT_JSON:
            a->json = 1;
            break;

        case OPT_KEYS:
            a->keys_path = val;
            break;

        case OPT_PARTIAL:
            a->partial = 1;
            break;

        case OPT_COOKIE:
            a->cookie = val;
            break;

        case OPT_COOKIE_NAME:
            a->cookie_name = val;
            break;

        case OPT_SINCE:
            if (audit_parse_time(val, 0, &a->since) != 0) {
                return audit_usage_error(a->cmd, "--since: \"%s\" is not a "
                                         "date or time like 2026-11-28 or "
                                         "2026-11-28T03:19:58Z", val);
            }

            break;

        case OPT_UNTIL:
            if (audit_parse_time(val, 1, &a->until) != 0) {
                return audit_usage_error(a->cmd, "--until: \"%s\" is not a "
                                         "date or time like 2026-11-28 or "
                                         "2026-11-28T03:19:58Z", val);
            }

            break;

        case OPT_BY:
            if (strcmp(val, "day") == 0) {
                a->by = AUDIT_BY_DAY;

            } else if (strcmp(val, "week") == 0) {
                a->by = AUDIT_BY_WEEK;

            } else if (strcmp(val, "month") == 0) {
                a->by = AUDIT_BY_MONTH;

            } else {
                return audit_usage_error(a->cmd, "--by: \"%s\": day, week "
                                         "or month expected", val);
            }

            break;

        case OPT_FORMAT:
            a->format = val;
            break;

        case OPT_HTML:
            a->html = val;
            break;

        case OPT_POLICY:
            a->policy_path = val;
            break;

        case OPT_INVENTORY:
            a->inventory_path = val;
            break;

        case OPT_LANG:
            a->lang = val;
            break;

        case OPT_SITE:
            a->site = val;
            break;

        case OPT_HOSTS:
            a->hosts = 1;
            break;
        }
    }

    if (a->since != AUDIT_TS_MIN && a->until != AUDIT_TS_MAX
        && a->since >= a->until)
    {
        return audit_usage_error(a->cmd, "--since is not before --until");
    }

    return 0;
}


/* what every command that reads the log does first: files, then keys */
int
audit_open(audit_t *a)
{
    int  rc;

    rc = audit_check_files(a);

    return rc != 0 ? rc : audit_load_keys(a);
}


/*
 * The start of a command that reads the log with nothing to check
 * between its options and its files: audit_parse_args(), then
 * audit_open().  -1 after --help, else as those.
 */
int
audit_start(audit_t *a, int argc, char **argv, unsigned opts)
{
    int  rc;

    rc = audit_parse_args(a, argc, argv, opts);

    return rc != 0 ? rc : audit_open(a);
}


/* every file must exist and be readable before any output */
int
audit_check_files(audit_t *a)
{
    size_t       i;
    struct stat  st;

    if (a->nfiles == 0) {
        return audit_usage_error(a->cmd, "no log file given");
    }

    for (i = 0; i < a->nfiles; i++) {
        if (strcmp(a->files[i], "-") == 0) {
            continue;
        }

        if (stat(a->files[i], &st) != 0) {
            fprintf(stderr, "consent-audit: %s: %s\n", a->files[i],
                    strerror(errno));
            return AUDIT_IO;
        }

        if (S_ISDIR(st.st_mode)) {
            fprintf(stderr, "consent-audit: %s: is a directory, not a log "
                    "file\n", a->files[i]);
            return AUDIT_IO;
        }

        if (access(a->files[i], R_OK) != 0) {
            fprintf(stderr, "consent-audit: %s: %s\n", a->files[i],
                    strerror(errno));
            return AUDIT_IO;
        }
    }

    return 0;
}


int
audit_load_keys(audit_t *a)
{
    char  err[AUDIT_ERR_MAX];

    if (a->keys_path == NULL) {
        return 0;
    }

    if (access(a->keys_path, R_OK) != 0) {
        fprintf(stderr, "consent-audit: %s: %s\n", a->keys_path,
                strerror(errno));
        return AUDIT_IO;
    }

    /* a key file that is not one is a mistake in the command */

    a->ks = consent_keyset_load(a->keys_path, err, sizeof(err));
    if (a->ks == NULL) {
        fprintf(stderr, "consent-audit: %s\n", err);
        return AUDIT_USAGE;
    }

    return 0;
}
