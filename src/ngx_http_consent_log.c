
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The audit log writer: consent_log destinations (files, syslog), one
 * hash chain per worker process and destination, a checkpoint when a
 * file is reopened and when the worker exits.  The record itself is
 * built by the core (consent_record.c).
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


char *
ngx_http_consent_log_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_consent_loc_conf_t *clcf = conf;

    ngx_str_t                      *value;
    ngx_uint_t                      i;
    ngx_http_consent_log_t         *log, **lp;
    ngx_http_consent_main_conf_t   *cmcf;

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        if (clcf->logs != NGX_CONF_UNSET_PTR) {
            return "is duplicate";
        }

        clcf->logs = NULL;
        return NGX_CONF_OK;
    }

    if (clcf->logs == NULL) {
        return "is duplicate";
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

    log->name = value[1];

    if (ngx_strncmp(value[1].data, "syslog:", 7) == 0) {

        log->syslog = ngx_pcalloc(cf->pool, sizeof(ngx_syslog_peer_t));
        if (log->syslog == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_syslog_process_conf(cf, log->syslog) != NGX_CONF_OK) {
            return NGX_CONF_ERROR;
        }

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


ngx_int_t
ngx_http_consent_log_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                     i;
    ngx_http_consent_log_t       **lp;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_consent_module);
    if (cmcf == NULL) {
        return NGX_OK;
    }

    lp = cmcf->logs.elts;

    for (i = 0; i < cmcf->logs.nelts; i++) {
        if (consent_chain_init(&lp[i]->chain) != 0) {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                          "consent_log: RAND_bytes() failed");
            return NGX_ERROR;
        }

        lp[i]->ended = 1;
    }

    return NGX_OK;
}


void
ngx_http_consent_log_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                     i;
    ngx_http_consent_log_t       **lp;
    ngx_http_consent_main_conf_t  *cmcf;

    cmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_consent_module);
    if (cmcf == NULL) {
        return;
    }

    lp = cmcf->logs.elts;

    for (i = 0; i < cmcf->logs.nelts; i++) {
        (void) ngx_http_consent_log_checkpoint(lp[i], cycle->log, "stop");
    }
}


static void
ngx_http_consent_log_flush(ngx_open_file_t *file, ngx_log_t *elog)
{
    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return;
    }

    /* nginx flushes files both before reopening them and when exiting */

    (void) ngx_http_consent_log_checkpoint(file->data, elog,
                                           ngx_exiting || ngx_quit
                                           || ngx_terminate
                                           ? "stop" : "reopen");
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
    }

    free(line);

    return rc;
}


/*
 * The proof before the cookie: every destination of the location must
 * take the record, or the decision is refused.
 */

ngx_int_t
ngx_http_consent_log_decision(ngx_http_request_t *r, consent_record_t *rec)
{
    char                         *line;
    size_t                        len;
    ngx_int_t                     rc;
    ngx_uint_t                    i;
    ngx_http_consent_log_t      **lp, *log;
    ngx_http_consent_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_consent_module);

    if (clcf->logs == NULL) {
        return NGX_OK;
    }

    lp = clcf->logs->elts;

    for (i = 0; i < clcf->logs->nelts; i++) {
        log = lp[i];

        line = consent_record_line(rec, &log->chain, &clcf->keys->keys[0],
                                   &len);
        if (line == NULL) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "consent_log \"%V\": cannot build the record",
                          &log->name);
            return NGX_ERROR;
        }

        rc = ngx_http_consent_log_write(log, r->connection->log, line, len);

        if (rc == NGX_OK) {
            consent_chain_advance(&log->chain, line, len);
            log->key = &clcf->keys->keys[0];
            log->ended = 0;
        }

        free(line);

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* one write() on an O_APPEND descriptor, so lines of workers never mix */

static ngx_int_t
ngx_http_consent_log_write(ngx_http_consent_log_t *log, ngx_log_t *elog,
    const char *line, size_t len)
{
    u_char   *buf, *p;
    size_t    done;
    ssize_t   n;

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

        n = ngx_syslog_send(log->syslog, buf, p - buf);

        ngx_free(buf);

        if (n != p - buf) {
            ngx_log_error(NGX_LOG_ERR, elog, ngx_socket_errno,
                          "consent_log \"%V\": send() failed", &log->name);
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    /*
     * a line cut short by an earlier failure (a full disk) is ended
     * first, so that it cannot swallow this one
     */

    if (log->partial) {
        if (write(log->file->fd, "\n", 1) != 1) {
            ngx_log_error(NGX_LOG_ERR, elog, ngx_errno,
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

            ngx_log_error(NGX_LOG_ERR, elog, ngx_errno,
                          "consent_log \"%V\": write() failed",
                          &log->file->name);
            log->partial = done > 0;
            return NGX_ERROR;
        }

        if (n == 0) {
            log->partial = done > 0;
            ngx_log_error(NGX_LOG_ERR, elog, 0,
                          "consent_log \"%V\": write() wrote nothing",
                          &log->file->name);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}
