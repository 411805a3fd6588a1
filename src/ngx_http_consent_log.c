
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The audit log writer: consent_log destinations (files, syslog), one
 * hash chain per worker process and destination, a checkpoint when a
 * file is reopened, periodically and when the worker exits; required
 * and best-effort destinations; files never readable by others.  The
 * record itself is built by the core (consent_record.c).  Also the
 * warning about cookies signed with a key the key file lacks.
 */


#include "ngx_http_consent_module.h"


static ngx_int_t ngx_http_consent_log_write(ngx_http_consent_log_t *log,
    ngx_log_t *elog, const char *line, size_t len);
static ngx_int_t ngx_http_consent_log_checkpoint(ngx_http_consent_log_t *log,
    ngx_log_t *elog, const char *reason);
static void ngx_http_consent_log_flush(ngx_open_file_t *file,
    ngx_log_t *elog);
static ngx_http_consent_log_t *ngx_http_consent_log_find(ngx_conf_t *cf,
    ngx_str_t *name);
static ngx_uint_t ngx_http_consent_log_mode(ngx_str_t *value);
static ngx_int_t ngx_http_consent_log_send(ngx_http_consent_log_t *log,
    ngx_log_t *elog, u_char *buf, size_t len);
static ngx_int_t ngx_http_consent_log_connect(ngx_http_consent_log_t *log,
    ngx_log_t *elog);
static void ngx_http_consent_log_lost(ngx_http_consent_log_t *log,
    ngx_log_t *elog, ngx_uint_t n);
static void ngx_http_consent_log_timer_handler(ngx_event_t *ev);
static ngx_http_consent_log_t **ngx_http_consent_log_all(
    ngx_cycle_t *cycle, ngx_uint_t *n);
static ngx_int_t ngx_http_consent_log_prepare(ngx_http_consent_log_t *log,
    ngx_log_t *elog);
static ngx_int_t ngx_http_consent_log_policy(ngx_http_consent_log_t *log,
    ngx_log_t *elog, const consent_policy_t *policy, const consent_key_t *key);


/* a warning at most this often, in seconds, per worker */
#define NGX_HTTP_CONSENT_WARN_EVERY     60

/* periodic checkpoints, by default: a cut tail shows within a minute */
#define NGX_HTTP_CONSENT_CKPT_RECORDS   1000
#define NGX_HTTP_CONSENT_CKPT_INTERVAL  60000

/* files are made readable by the owner and the group only */
#define NGX_HTTP_CONSENT_LOG_MODE       0640

/* parts of a policy sent to a syslog destination before a record */
#define NGX_HTTP_CONSENT_POLICY_BURST   4

/* ngx_sprintf() has no octal: the three digits of a mode */
#define NGX_HTTP_CONSENT_OCTAL(m)                                            \
    ((m) >> 6) & 7, ((m) >> 3) & 7, (m) & 7


ngx_atomic_uint_t  ngx_http_consent_unknown_keys;
ngx_atomic_uint_t  ngx_http_consent_records_lost;

static ngx_event_t  ngx_http_consent_log_timer;
static ngx_msec_t   ngx_http_consent_log_tick;


char *
ngx_http_consent_log_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_str_t                      *value, v;
    ngx_int_t                       required, records;
    ngx_uint_t                      i, mode;
    ngx_msec_int_t                  interval;
    ngx_http_consent_log_t         *log, **lp;
    ngx_http_consent_main_conf_t   *cmcf;

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        if (cf->args->nelts > 2) {
            return "takes no parameters with \"off\"";
        }

        if (clcf->logs != NGX_CONF_UNSET_PTR) {
            return "is duplicate";
        }

        clcf->logs = NULL;
        return NGX_CONF_OK;
    }

    if (clcf->logs == NULL) {
        return "is duplicate";
    }

    mode = 0;
    required = NGX_CONF_UNSET;
    records = NGX_CONF_UNSET;
    interval = NGX_CONF_UNSET;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "checkpoint_records=", 19) == 0) {
            v.data = value[i].data + 19;
            v.len = value[i].len - 19;

            records = ngx_atoi(v.data, v.len);
            if (records == NGX_ERROR) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "checkpoint_interval=", 20) == 0) {
            v.data = value[i].data + 20;
            v.len = value[i].len - 20;

            interval = ngx_parse_time(&v, 0);
            if (interval == (ngx_msec_int_t) NGX_ERROR) {
                goto invalid;
            }

            if (interval && interval < 1000) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "\"%V\": at least one second, or 0",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_strcmp(value[i].data, "required") == 0
            || ngx_strcmp(value[i].data, "best_effort") == 0)
        {
            if (required != NGX_CONF_UNSET) {
                return "is duplicate";
            }

            required = (value[i].data[0] == 'r');
            continue;
        }

        if (ngx_strncmp(value[i].data, "mode=", 5) == 0) {
            mode = ngx_http_consent_log_mode(&value[i]);

            if (mode == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\": an octal mode that lets "
                                   "the owner read and write and others "
                                   "nothing is expected, e.g. \"mode=0640\"",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            if (ngx_strncmp(value[1].data, "syslog:", 7) == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "\"%V\" is for files, not syslog",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

    invalid:

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (clcf->logs == NGX_CONF_UNSET_PTR) {
        clcf->logs = ngx_array_create(cf->pool, 2,
                                      sizeof(ngx_http_consent_log_t *));
        if (clcf->logs == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    log = ngx_http_consent_log_find(cf, &value[1]);
    if (log) {
        goto found;
    }

    log = ngx_pcalloc(cf->pool, sizeof(ngx_http_consent_log_t));
    if (log == NULL) {
        return NGX_CONF_ERROR;
    }

    /* ngx_syslog_process_conf() cuts the value it parses */

    log->name.len = value[1].len;
    log->name.data = ngx_pstrdup(cf->pool, &value[1]);
    if (log->name.data == NULL) {
        return NGX_CONF_ERROR;
    }

    log->required = NGX_CONF_UNSET;
    log->fd = (ngx_socket_t) -1;
    log->ckpt_records = NGX_CONF_UNSET;
    log->ckpt_interval = NGX_CONF_UNSET;

    if (ngx_strncmp(value[1].data, "syslog:", 7) == 0) {

        log->syslog = ngx_pcalloc(cf->pool, sizeof(ngx_syslog_peer_t));
        if (log->syslog == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_syslog_process_conf(cf, log->syslog) != NGX_CONF_OK) {
            return NGX_CONF_ERROR;
        }

#if (NGX_HAVE_UNIX_DOMAIN)
        log->udp = log->syslog->server.sockaddr->sa_family != AF_UNIX;
#else
        log->udp = 1;
#endif

        /* each failure is counted, and reported once a minute */
        log->syslog->conn.log_error = NGX_ERROR_INFO;

    } else {
        log->file = ngx_conf_open_file(cf->cycle, &value[1]);
        if (log->file == NULL) {
            return NGX_CONF_ERROR;
        }

        /* nginx calls it before reopening the file: a checkpoint */

        if (log->file->flush == NULL) {
            log->file->flush = ngx_http_consent_log_flush;
            log->file->data = log;

        } else if (log->file->data != log) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" is also a buffered log of another "
                               "module; the consent log needs a file of "
                               "its own", &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_consent_module);

    lp = ngx_array_push(&cmcf->logs);
    if (lp == NULL) {
        return NGX_CONF_ERROR;
    }

    *lp = log;

found:

    /* a destination has one set of parameters, wherever it is named */

    if (mode) {
        if (log->mode && log->mode != mode) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" is named elsewhere with another "
                               "mode", &value[1]);
            return NGX_CONF_ERROR;
        }

        log->mode = mode;
    }

    if (required != NGX_CONF_UNSET) {
        if (log->required != NGX_CONF_UNSET && log->required != required) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" is named elsewhere as %s",
                               &value[1], log->required ? "required"
                                                        : "best_effort");
            return NGX_CONF_ERROR;
        }

        /* a datagram sent is not a datagram received */

        if (required && log->udp) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a syslog server over UDP cannot be "
                               "\"required\": nginx cannot know whether a "
                               "record arrived; make a file or a "
                               "\"syslog:server=unix:\" socket the "
                               "required destination");
            return NGX_CONF_ERROR;
        }

        log->required = required;
    }

    if (records != NGX_CONF_UNSET) {
        if (log->ckpt_records != NGX_CONF_UNSET
            && log->ckpt_records != records)
        {
            goto conflict;
        }

        log->ckpt_records = records;
    }

    if (interval != NGX_CONF_UNSET) {
        if (log->ckpt_interval != NGX_CONF_UNSET
            && log->ckpt_interval != interval)
        {
            goto conflict;
        }

        log->ckpt_interval = interval;
    }

    lp = clcf->logs->elts;

    for (i = 0; i < clcf->logs->nelts; i++) {
        if (lp[i] == log) {
            return "names the same destination twice";
        }
    }

    lp = ngx_array_push(clcf->logs);
    if (lp == NULL) {
        return NGX_CONF_ERROR;
    }

    *lp = log;

    return NGX_CONF_OK;

conflict:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"%V\" is named elsewhere with other checkpoint "
                       "parameters", &value[1]);
    return NGX_CONF_ERROR;
}


/* "mode=0640": 0 unless the owner may read and write and others nothing */

static ngx_uint_t
ngx_http_consent_log_mode(ngx_str_t *value)
{
    u_char      *p, *last;
    ngx_uint_t   mode;

    p = value->data + 5;
    last = value->data + value->len;

    if (last - p < 3 || last - p > 4) {
        return 0;
    }

    for (mode = 0; p < last; p++) {
        if (*p < '0' || *p > '7') {
            return 0;
        }

        mode = mode * 8 + (*p - '0');
    }

    if (mode > 0777 || (mode & 0600) != 0600 || (mode & 0007)) {
        return 0;
    }

    return mode;
}


/*
 * Files are created, and tightened, before nginx opens them: nginx
 * itself would create them 0644, readable by every local user, at start
 * and at every reopen.
 */

ngx_int_t
ngx_http_consent_log_init(ngx_conf_t *cf)
{
    ngx_uint_t                     i, required;
    ngx_http_consent_log_t       **lp;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_consent_module);

    required = 0;
    lp = cmcf->logs.elts;

    for (i = 0; i < cmcf->logs.nelts; i++) {

        if (lp[i]->mode == 0) {
            lp[i]->mode = NGX_HTTP_CONSENT_LOG_MODE;
        }

        if (lp[i]->required == NGX_CONF_UNSET) {
            lp[i]->required = !lp[i]->udp;
        }

        if (lp[i]->ckpt_records == NGX_CONF_UNSET) {
            lp[i]->ckpt_records = NGX_HTTP_CONSENT_CKPT_RECORDS;
        }

        if (lp[i]->ckpt_interval == NGX_CONF_UNSET) {
            lp[i]->ckpt_interval = NGX_HTTP_CONSENT_CKPT_INTERVAL;
        }

        if (lp[i]->file
            && ngx_http_consent_log_prepare(lp[i], cf->log) != NGX_OK)
        {
            return NGX_ERROR;
        }

        required += lp[i]->required;
    }

    /* no proof anywhere is possible: say so, nginx -t shows warnings */

    if (cmcf->logs.nelts && required == 0) {
        ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                      "consent_log: every destination is best effort, so "
                      "a choice can be accepted with its record lost; "
                      "add a file (or a syslog unix socket) that is "
                      "required");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_consent_log_prepare(ngx_http_consent_log_t *log, ngx_log_t *elog)
{
    ngx_fd_t          fd;
    ngx_uint_t        mode;
    ngx_file_info_t   fi;

    fd = open((const char *) log->file->name.data,
              O_WRONLY|O_APPEND|O_CREAT|O_EXCL, (mode_t) log->mode);

    if (fd != NGX_INVALID_FILE) {

        /* whatever the umask */

        if (fchmod(fd, (mode_t) log->mode) == -1) {
            ngx_log_error(NGX_LOG_EMERG, elog, ngx_errno,
                          "consent_log: fchmod() \"%V\" failed",
                          &log->file->name);
            (void) ngx_close_file(fd);
            return NGX_ERROR;
        }

        (void) ngx_close_file(fd);
        return NGX_OK;
    }

    if (ngx_errno != NGX_EEXIST) {
        /* nginx's own open() reports it */
        return NGX_OK;
    }

    if (ngx_file_info(log->file->name.data, &fi) == NGX_FILE_ERROR
        || !S_ISREG(fi.st_mode))
    {
        return NGX_OK;
    }

    mode = fi.st_mode & 07777;

    if ((mode & ~log->mode) == 0) {
        return NGX_OK;
    }

    if (chmod((const char *) log->file->name.data,
              (mode_t) (mode & log->mode))
        == -1)
    {
        ngx_log_error(NGX_LOG_EMERG, elog, ngx_errno,
                      "consent_log: chmod(\"%V\", 0%ui%ui%ui) failed",
                      &log->file->name,
                      NGX_HTTP_CONSENT_OCTAL(mode & log->mode));
        return NGX_ERROR;
    }

    ngx_log_error(NGX_LOG_NOTICE, elog, 0,
                  "consent_log: \"%V\": mode 0%ui%ui%ui, was 0%ui%ui%ui",
                  &log->file->name, NGX_HTTP_CONSENT_OCTAL(mode & log->mode),
                  NGX_HTTP_CONSENT_OCTAL(mode));

    return NGX_OK;
}


/* several blocks may log to one destination: it has one chain */

static ngx_http_consent_log_t *
ngx_http_consent_log_find(ngx_conf_t *cf, ngx_str_t *name)
{
    ngx_str_t                      full;
    ngx_uint_t                     i;
    ngx_http_consent_log_t       **lp;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_consent_module);

    full = *name;

    if (ngx_strncmp(name->data, "syslog:", 7) != 0
        && ngx_conf_full_name(cf->cycle, &full, 0) != NGX_OK)
    {
        return NULL;
    }

    lp = cmcf->logs.elts;

    for (i = 0; i < cmcf->logs.nelts; i++) {

        if (lp[i]->file) {
            if (lp[i]->file->name.len == full.len
                && ngx_strncmp(lp[i]->file->name.data, full.data, full.len)
                   == 0)
            {
                return lp[i];
            }

        } else if (lp[i]->name.len == name->len
                   && ngx_strncmp(lp[i]->name.data, name->data, name->len)
                      == 0)
        {
            return lp[i];
        }
    }

    return NULL;
}


/* the destinations of a cycle's configuration, into *n (none: no http) */

static ngx_http_consent_log_t **
ngx_http_consent_log_all(ngx_cycle_t *cycle, ngx_uint_t *n)
{
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_consent_module);
    if (cmcf == NULL) {
        *n = 0;
        return NULL;
    }

    *n = cmcf->logs.nelts;

    return cmcf->logs.elts;
}


ngx_int_t
ngx_http_consent_log_init_process(ngx_cycle_t *cycle)
{
    ngx_msec_t                tick;
    ngx_uint_t                i, n;
    ngx_http_consent_log_t  **lp;

    tick = 0;
    lp = ngx_http_consent_log_all(cycle, &n);

    for (i = 0; i < n; i++) {
        if (consent_chain_init(&lp[i]->chain) != 0) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                          "consent_log: RAND_bytes() failed");
            return NGX_ERROR;
        }

        lp[i]->ended = 1;

        if (lp[i]->ckpt_interval
            && (tick == 0 || (ngx_msec_t) lp[i]->ckpt_interval < tick))
        {
            tick = lp[i]->ckpt_interval;
        }
    }

    /* one timer for every destination: the shortest interval */

    if (tick) {
        ngx_http_consent_log_tick = tick;
        ngx_http_consent_log_timer.handler =
                                         ngx_http_consent_log_timer_handler;
        ngx_http_consent_log_timer.log = cycle->log;
        ngx_http_consent_log_timer.data = cycle;
        ngx_http_consent_log_timer.cancelable = 1;

        ngx_add_timer(&ngx_http_consent_log_timer, tick);
    }

    return NGX_OK;
}


/*
 * Records of a running worker are sealed by a checkpoint within the
 * interval, so that a copy cut after its last checkpoint (a lost tail at
 * a collector) shows: its chain ends without one while the worker ran.
 */

static void
ngx_http_consent_log_timer_handler(ngx_event_t *ev)
{
    ngx_uint_t                i, n;
    ngx_http_consent_log_t  **lp, *log;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    lp = ngx_http_consent_log_all(ev->data, &n);

    for (i = 0; i < n; i++) {
        log = lp[i];

        if (log->ended || log->ckpt_interval == 0) {
            continue;
        }

        /* sealed at most one interval after the first unsealed record */

        if ((ngx_msec_int_t) (ngx_current_msec - log->unsealed_since)
            + (ngx_msec_int_t) ngx_http_consent_log_tick
            > log->ckpt_interval)
        {
            (void) ngx_http_consent_log_checkpoint(log, ev->log,
                                                   "periodic");
        }
    }

    ngx_add_timer(ev, ngx_http_consent_log_tick);
}


void
ngx_http_consent_log_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                i, n;
    ngx_http_consent_log_t  **lp;

    lp = ngx_http_consent_log_all(cycle, &n);

    for (i = 0; i < n; i++) {
        (void) ngx_http_consent_log_checkpoint(lp[i], cycle->log, "stop");
    }
}


static void
ngx_http_consent_log_flush(ngx_open_file_t *file, ngx_log_t *elog)
{
    ngx_uint_t                i, n, exiting;
    ngx_http_consent_log_t  **lp;

    /* nginx flushes files both before reopening them and when exiting */

    exiting = ngx_exiting || ngx_quit || ngx_terminate;

    if (ngx_process == NGX_PROCESS_WORKER
        || ngx_process == NGX_PROCESS_SINGLE)
    {
        (void) ngx_http_consent_log_checkpoint(file->data, elog,
                                               exiting ? "stop" : "reopen");

        /* the new file stores the policies again: it stands alone */

        consent_chain_policy_forget(
                       &((ngx_http_consent_log_t *) file->data)->chain);

        /* a rotation seals the syslog destinations' chains too */

        lp = ngx_http_consent_log_all((ngx_cycle_t *) ngx_cycle, &n);

        for (i = 0; !exiting && i < n; i++) {
            if (lp[i]->syslog) {
                (void) ngx_http_consent_log_checkpoint(lp[i], elog,
                                                       "reopen");
                consent_chain_policy_forget(&lp[i]->chain);
            }
        }
    }

    /*
     * the master reopens first (as root, then chown()s to the workers'
     * user): the new file is made here, with its mode, before nginx
     * would make it 0644
     */

    if (!exiting) {
        (void) ngx_http_consent_log_prepare(file->data, elog);
    }
}


static ngx_int_t
ngx_http_consent_log_checkpoint(ngx_http_consent_log_t *log, ngx_log_t *elog,
    const char *reason)
{
    char                  *line;
    size_t                 len;
    ngx_int_t              rc;
    consent_checkpoint_t   cp;

    /* nothing since the last checkpoint: nothing to seal */

    if (log->ended || log->key == NULL) {
        return NGX_OK;
    }

    ngx_time_update();

    cp.ts_ms = (int64_t) ngx_cached_time->sec * 1000
               + ngx_cached_time->msec;
    cp.reason = reason;

    line = consent_checkpoint_line(&cp, &log->chain, log->key, &len);
    if (line == NULL) {
        ngx_log_error(NGX_LOG_ALERT, elog, 0,
                      "consent_log \"%V\": cannot build a checkpoint",
                      &log->name);
        return NGX_ERROR;
    }

    rc = ngx_http_consent_log_write(log, elog, line, len);

    if (rc == NGX_OK) {
        consent_chain_advance(&log->chain, line, len);
        log->ended = 1;
        log->unsealed = 0;

    } else {
        ngx_http_consent_stat_log(log);
    }

    free(line);

    return rc;
}


/*
 * A record begun: zeroed, now, the consent id (id, base64) and the
 * request's part: GPC, the policy language picked by Accept-Language,
 * host, user agent and the address as consent_log_ip says (written into
 * ip, 64 bytes that outlive the record)
 */

void
ngx_http_consent_record_init(ngx_http_request_t *r,
    ngx_http_consent_loc_conf_t *clcf, consent_record_t *rec, char *id,
    char *ip)
{
    ngx_table_elt_t  *h;

    ngx_memzero(rec, sizeof(consent_record_t));

    rec->ts_ms = (int64_t) ngx_cached_time->sec * 1000
                 + ngx_cached_time->msec;
    rec->id.data = id;
    rec->id.len = CONSENT_ID_B64_LEN;

    rec->gpc = ngx_http_consent_gpc(r);

    h = ngx_http_consent_header_in_str(r, "Accept-Language");
    rec->lang.data = consent_policy_pick_lang(clcf->policy,
                                    h ? (const char *) h->value.data : NULL,
                                    h ? h->value.len : 0);
    rec->lang.len = ngx_strlen(rec->lang.data);

    rec->host.data = (const char *) r->headers_in.server.data;
    rec->host.len = r->headers_in.server.len;

    if (r->headers_in.user_agent) {
        rec->ua.data = (const char *) r->headers_in.user_agent->value.data;
        rec->ua.len = r->headers_in.user_agent->value.len;
    }

    rec->ip.data = ip;
    rec->ip.len = consent_ip_anonymise(r->connection->sockaddr,
                                       (consent_ip_mode_e) clcf->log_ip,
                                       &clcf->keys->keys[0], ip);
}


/*
 * The proof before the cookie: every required destination of the
 * location must take the record, or the decision is refused.  They are
 * written first, so that a refused decision reaches no best-effort one.
 * A best-effort destination that fails is counted, reported, and its
 * chain goes on past the record lost, so its copy shows the gap.
 */

ngx_int_t
ngx_http_consent_log_decision(ngx_http_request_t *r, consent_record_t *rec)
{
    char                         *line;
    size_t                        len;
    ngx_int_t                     rc;
    ngx_uint_t                    i, pass;
    ngx_http_consent_log_t      **lp, *log;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (clcf->logs == NULL) {
        return NGX_OK;
    }

    lp = clcf->logs->elts;

    for (pass = 0; pass < 2; pass++) {

        for (i = 0; i < clcf->logs->nelts; i++) {
            log = lp[i];

            if ((ngx_uint_t) log->required != (pass == 0)) {
                continue;
            }

            if ((log->chain.storing
                 || consent_chain_policy_needed(&log->chain, rec->policy))
                && ngx_http_consent_log_policy(log, r->connection->log,
                                               rec->policy,
                                               &clcf->keys->keys[0])
                   == NGX_ERROR)
            {
                return NGX_ERROR;
            }

            line = consent_record_line(rec, &log->chain,
                                       &clcf->keys->keys[0], &len);
            if (line == NULL) {
                ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                              "consent_log \"%V\": cannot build the record",
                              &log->name);
                return NGX_ERROR;
            }

            rc = ngx_http_consent_log_write(log, r->connection->log, line,
                                            len);

            if (rc == NGX_OK || !log->required) {
                consent_chain_advance(&log->chain, line, len);
                log->key = &clcf->keys->keys[0];

                if (log->ended) {
                    log->ended = 0;
                    log->unsealed_since = ngx_current_msec;
                }

                log->unsealed++;
            }

            free(line);

            if (rc != NGX_OK) {
                ngx_http_consent_stat_log(log);

                if (log->required) {
                    return NGX_ERROR;
                }

                ngx_http_consent_log_lost(log, r->connection->log, 1);
            }

            if (log->ckpt_records
                && log->unsealed >= (ngx_uint_t) log->ckpt_records)
            {
                (void) ngx_http_consent_log_checkpoint(log,
                                                       r->connection->log,
                                                       "periodic");
            }
        }
    }

    return NGX_OK;
}


/*
 * The notice itself goes into the chain before the first record that
 * names it, and again in each new file: a log proves what the visitor
 * was shown without the policy file the operator kept.  A file takes
 * the whole policy at once; a syslog destination takes a few parts
 * before each record, so that no burst of datagrams fills a daemon's
 * queue (a unix socket holds 10), and a part that cannot be sent is
 * sent again before the next record: the notice is best effort there,
 * the record is not.  On a file, a record that cannot follow its notice
 * is refused like the record itself.
 */

static ngx_int_t
ngx_http_consent_log_policy(ngx_http_consent_log_t *log, ngx_log_t *elog,
    const consent_policy_t *policy, const consent_key_t *key)
{
    char             *line;
    size_t            len, parts, n;
    int64_t           ts_ms;
    ngx_int_t         rc;
    consent_chain_t  *chain;

    chain = &log->chain;

    if (chain->storing == NULL) {
        if (consent_policy_pack(policy, &chain->packed, &chain->packed_len)
            != 0)
        {
            ngx_log_error(NGX_LOG_ALERT, elog, 0,
                          "consent_log \"%V\": cannot pack the policy",
                          &log->name);
            return log->syslog ? NGX_DECLINED : NGX_ERROR;
        }

        chain->storing = policy;
        chain->next_part = 1;
    }

    /* another policy begun on this destination is finished first */

    policy = chain->storing;
    parts = consent_policy_parts(chain->packed_len);
    ts_ms = (int64_t) ngx_cached_time->sec * 1000 + ngx_cached_time->msec;

    for (n = 0; chain->next_part <= parts; n++) {

        if (log->syslog && n == NGX_HTTP_CONSENT_POLICY_BURST) {
            return NGX_DECLINED;
        }

        line = consent_policy_line(policy, chain->packed, chain->packed_len,
                                   ts_ms, chain->next_part, chain, key,
                                   &len);
        if (line == NULL) {
            ngx_log_error(NGX_LOG_ALERT, elog, 0,
                          "consent_log \"%V\": cannot build the policy "
                          "record", &log->name);
            return log->syslog ? NGX_DECLINED : NGX_ERROR;
        }

        rc = ngx_http_consent_log_write(log, elog, line, len);

        if (rc != NGX_OK && log->syslog) {
            free(line);
            return NGX_DECLINED;
        }

        if (rc == NGX_OK || !log->required) {
            consent_chain_advance(chain, line, len);
            log->key = key;

            if (log->ended) {
                log->ended = 0;
                log->unsealed_since = ngx_current_msec;
            }
        }

        free(line);

        if (rc != NGX_OK) {
            if (log->required) {
                return NGX_ERROR;
            }

            /* the gap shows in the chain; the policy starts again */

            ngx_http_consent_log_lost(log, elog, 1);
            chain->next_part = 1;
            return NGX_DECLINED;
        }

        chain->next_part++;
    }

    if (consent_chain_policy_stored(chain, policy) != 0) {
        ngx_log_error(NGX_LOG_ALERT, elog, 0,
                      "consent_log \"%V\": out of memory", &log->name);
    }

    free(chain->packed);
    chain->packed = NULL;
    chain->packed_len = 0;
    chain->storing = NULL;

    return NGX_OK;
}


/* at most once a minute per worker and destination, with a count */

static void
ngx_http_consent_log_lost(ngx_http_consent_log_t *log, ngx_log_t *elog,
    ngx_uint_t n)
{
    time_t  now;

    ngx_http_consent_records_lost += n;
    log->lost += n;

    now = ngx_time();

    if (log->lost_reported
        && now - log->lost_reported < NGX_HTTP_CONSENT_WARN_EVERY)
    {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, elog, 0,
                  "consent_log \"%V\" (best_effort): %ui record%s lost "
                  "since %s; the choices were accepted, the records are "
                  "in the other destinations",
                  &log->name, log->lost, log->lost == 1 ? "" : "s",
                  log->lost_reported ? "the last report"
                                     : "this worker started");

    log->lost = 0;
    log->lost_reported = now;
}


/* one write() on an O_APPEND descriptor, so lines of workers never mix */

static ngx_int_t
ngx_http_consent_log_write(ngx_http_consent_log_t *log, ngx_log_t *elog,
    const char *line, size_t len)
{
    u_char      *buf, *p;
    size_t       done;
    ssize_t      n;
    ngx_int_t    rc;
    ngx_uint_t   level;

    if (log->syslog) {
        /* syslog's PRI and HEADER, as nginx's own writer counts them */

        buf = ngx_alloc(sizeof("<255>Jan 01 00:00:00 ") - 1
                        + ngx_cycle->hostname.len + 1
                        + log->syslog->tag.len + 2 + len, elog);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        p = ngx_syslog_add_header(log->syslog, buf);

        /* a datagram carries the line without its newline */
        p = ngx_cpymem(p, line, len - 1);

        rc = ngx_http_consent_log_send(log, elog, buf, p - buf);

        ngx_free(buf);

        return rc;
    }

    /* best effort: ngx_http_consent_log_lost() tells, once a minute */

    level = log->required ? NGX_LOG_ERR : NGX_LOG_INFO;

    /*
     * a line cut short by an earlier failure (a full disk) is ended
     * first, so that it cannot swallow this one
     */

    if (log->partial) {
        if (write(log->file->fd, "\n", 1) != 1) {
            ngx_log_error(level, elog, ngx_errno,
                          "consent_log \"%V\": write() failed",
                          &log->file->name);
            return NGX_ERROR;
        }

        log->partial = 0;
    }

    for (done = 0; done < len; done += n) {

        n = write(log->file->fd, line + done, len - done);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                n = 0;
                continue;
            }

            ngx_log_error(level, elog, ngx_errno,
                          "consent_log \"%V\": write() failed",
                          &log->file->name);
            log->partial = done > 0;
            return NGX_ERROR;
        }

        if (n == 0) {
            log->partial = done > 0;
            ngx_log_error(level, elog, 0,
                          "consent_log \"%V\": write() wrote nothing",
                          &log->file->name);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * A cookie signed with a key id the key file lacks: another server
 * signs with a key this one was not given yet, a rotation half done.
 * It counts as invalid, like any forgery; the operator is told, at most
 * once a minute per worker process, with the count since last time.
 */

void
ngx_http_consent_log_unknown_key(ngx_http_request_t *r,
    consent_keyset_t *ks, const char *value, size_t len)
{
    char               kid[CONSENT_KID_MAX + 1];
    time_t             now;
    static ngx_uint_t  count;
    static time_t      reported;

    if (!consent_token_unknown_kid(ks, value, len, kid)) {
        return;
    }

    ngx_http_consent_unknown_keys++;
    ngx_http_consent_stat(CONSENT_STAT_UNKNOWN_KEY, 0);
    count++;

    now = ngx_time();

    if (reported && now - reported < NGX_HTTP_CONSENT_WARN_EVERY) {
        return;
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "consent_keys: %ui cookie%s signed with a key id not in "
                  "the key file (the last one \"%s\") since %s: is a key "
                  "rotation half done? add the key to every server as "
                  "\"verify-only\" first; such cookies count as invalid",
                  count, count == 1 ? "" : "s", kid,
                  reported ? "the last warning" : "this worker started");

    count = 0;
    reported = now;
}


/*
 * A datagram to the syslog server, on a socket of this worker's own.
 * One failure is followed by one more try on a new socket: a syslog
 * daemon restarted has a new unix socket, and on UDP an ECONNREFUSED is
 * the ICMP answer to an earlier datagram, not to this one (nginx's own
 * syslog writer fails every other message while the server is down, and
 * the first one after it is back).  That earlier record is counted lost.
 */

static ngx_int_t
ngx_http_consent_log_send(ngx_http_consent_log_t *log, ngx_log_t *elog,
    u_char *buf, size_t len)
{
    ssize_t     n;
    ngx_err_t   err;
    ngx_uint_t  try, level;

    err = 0;

    for (try = 0; try < 2; try++) {

        if (log->fd == (ngx_socket_t) -1
            && ngx_http_consent_log_connect(log, elog) != NGX_OK)
        {
            err = ngx_socket_errno;
            continue;
        }

        n = send(log->fd, buf, len, 0);

        if (n == (ssize_t) len) {
            if (try && log->udp && err == NGX_ECONNREFUSED) {
                ngx_http_consent_stat_log(log);
                ngx_http_consent_log_lost(log, elog, 1);
            }

            return NGX_OK;
        }

        err = (n == -1) ? ngx_socket_errno : 0;

        (void) ngx_close_socket(log->fd);
        log->fd = (ngx_socket_t) -1;
    }

    /* best effort: ngx_http_consent_log_lost() tells, once a minute */

    level = log->required ? NGX_LOG_ERR : NGX_LOG_INFO;

    ngx_log_error(level, elog, err, "consent_log \"%V\": send() failed",
                  &log->name);

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_consent_log_connect(ngx_http_consent_log_t *log, ngx_log_t *elog)
{
    ngx_err_t     err;
    ngx_socket_t  fd;

    fd = ngx_socket(log->syslog->server.sockaddr->sa_family, SOCK_DGRAM, 0);
    if (fd == (ngx_socket_t) -1) {
        return NGX_ERROR;
    }

    /* a syslog daemon that does not read must not stop the worker */

    if (ngx_nonblocking(fd) == -1
        || fcntl(fd, F_SETFD, FD_CLOEXEC) == -1
        || connect(fd, log->syslog->server.sockaddr,
                   log->syslog->server.socklen)
           == -1)
    {
        err = ngx_socket_errno;
        (void) ngx_close_socket(fd);
        ngx_set_socket_errno(err);
        return NGX_ERROR;
    }

    log->fd = fd;

    return NGX_OK;
}
