/* The run log: what each run did, for `relaunch status` and `relaunch log`,
 * kept in <state-dir>/runs.json as {"version":5,"runs":[…]}, oldest first,
 * the last RL_RUNLOG_MAX runs. Written atomically under its own lock
 * (<state-dir>/runs.lock), so two runs appending at once lose nothing.
 *
 * A record:
 *   {"start","end": ISO 8601 UTC with milliseconds,
 *    "trigger": "manual" | "queue" | "watch",
 *    "entries": [{"file","source","name","version","time","pid"}],
 *    "steps": [{"label","name","target","action","status","old_pid","new_pid",
 *               "seconds","reasons":[text],"cause","causes","error","note"}],
 *    "baseline": bool, "processes": bool, "scope": [label] or null,
 *    "exit": int, "error": text or null}
 * A step's status is a result's (restarted, failed, skipped, deferred, idle,
 * current, refused), or
 * "not run" for a planned step the run never reached. A step an earlier
 * run began and this one finished (restarted), could not finish (failed)
 * or gave up (skipped) before planning comes first, without reasons. causes
 * says how the step came to be, every kind of reason it has, in this
 * order: "change" (a change the manifest shows, which a comparison with
 * the disk finds again), "process" (one from the process view); none
 * without reasons. cause is the first of them, or null. Version 1 logs,
 * without either, and version 2 logs, with cause alone, are read alike (a
 * step without them: not known). processes says whether the run looked at
 * the jobs' processes (not --no-processes), scope which jobs it was given
 * (run JOB..., --archive: their labels), null for every job; a record
 * before version 4, without them, is read as one that did not look.
 * name is what plan and run name the step by (rl_job_uses_key): the
 * label, or "system/<label>" for the copy loaded from a label's second
 * plist; a step logged before version 5, without it, is read with its
 * label as its name.
 */
#ifndef RL_RUNLOG_H
#define RL_RUNLOG_H

#include <stdint.h>

#include <jansson.h>

#include "core/automate/queue.h"
#include "core/base/error.h"
#include "core/base/util.h"
#include "core/execute/restart.h"
#include "core/plan/plan.h"

#define RL_RUNLOG_MAX 100
/* runs.json's version: 2 added a step's cause, 3 its causes, 4 a run's
 * processes and scope, 5 a step's name. */
#define RL_RUNLOG_VERSION 5

/* "2026-12-02T06:00:00.123Z". Malloc'd. */
char *rl_time_iso_ms(int64_t ms);
/* s read as rl_time_iso_ms writes it: UTC with milliseconds, a day the
 * calendar has. 0 with *ms its milliseconds since the epoch; -1 for any
 * other text. */
int rl_time_iso_ms_parse(const char *s, int64_t *ms);

/* A new record, started now with trigger. New reference. */
json_t *rl_runlog_record_new(const char *trigger);
void rl_runlog_record_set_entries(json_t *rec, const struct rl_queue *q);
/* What the run looked at: the processes or not, and the jobs it was given
 * (labels; NULL: every job). A new record has neither (false, null). */
void rl_runlog_record_set_scope(json_t *rec, int processes, const struct rl_strv *labels);
/* One step per plan step, in order: its result when there is one, else
 * "not run". Steps with restart = "never" are left out: nothing is pending
 * for them. */
void rl_runlog_record_set_steps(json_t *rec, const struct rl_plan *plan,
				const struct rl_results *res);
/* Ends the record: end time, exit code, the error text (NULL: none). The
 * first error set is kept. */
void rl_runlog_record_finish(json_t *rec, int exit_code, const char *error);

/* One step's outcome for people, as `run` shows it as it ends and `log`
 * lists it (no newline): "restarted <label> (<action>): pid 412 → 977 in
 * 1.3 s" ("not running → pid 977" when it was not), "failed    <label>
 * (<action>): <error>", "refused   <label>: <error>; not restarted, the
 * old process keeps running (pid 412); …", "<status> <label>: <error or
 * note>" for the others. label: the step's name, as the caller quotes it; old_pid, new_pid
 * 0 when none; seconds < 0 when not known. */
void rl_runlog_step_text(struct rl_buf *out, const char *label, const char *action,
			 const char *status, long long old_pid, long long new_pid, double seconds,
			 const char *error, const char *note);

/* For people: a header line (start, end, trigger, exit code, counts),
 * then, indented, the entries consumed, one line per step and the error. */
void rl_runlog_record_format(const json_t *rec, struct rl_buf *out);

/* One step of a record: its result r, or "not run" when r is NULL. New
 * reference. */
json_t *rl_runlog_step(const struct rl_step *s, const struct rl_result *r);

/* The run log as it stands should the run end at once (a second stop
 * signal kills it by the signal's default action): ready to be written
 * from the signal handler, so that such a run is logged too. The log is
 * read when it is made: the caller holds the state directory's lock, so
 * no other run appends meanwhile. */
struct rl_runlog_stop;
/* NULL, err set, when the log cannot be read. */
struct rl_runlog_stop *rl_runlog_stop_new(const char *statedir, struct rl_error *err);
/* The record to write, as rec stands now (copied; its end and exit are
 * filled in when it is written). Not from a signal handler. */
void rl_runlog_stop_set(struct rl_runlog_stop *s, const json_t *rec);
/* Write the log with the record last set, ended now with exit_code, as
 * rl_runlog_append would (the last RL_RUNLOG_MAX runs), atomically: a
 * temporary file, fsync, rename. Async-signal-safe: open, write, fsync,
 * close, rename and clock_gettime only. 0, or -1 (nothing set, or the
 * write failed: the log is left as it was). */
int rl_runlog_stop_write(const struct rl_runlog_stop *s, int exit_code);
void rl_runlog_stop_free(struct rl_runlog_stop *s);
/* rl_time_iso_ms's text, written into out (25 bytes, NUL-terminated)
 * without a library call: async-signal-safe. */
void rl_time_iso_ms_r(int64_t ms, char out[25]);

/* Append rec, keep the last RL_RUNLOG_MAX. Returns 0, or -1 (err set),
 * or 1 when the log could not be read and was moved aside to
 * runs.json.broken beside it (runs.json.broken.1, .2, … when taken: none
 * is replaced), rec beginning a new one (err says so). */
int rl_runlog_append(const char *statedir, json_t *rec, struct rl_error *err);
/* The runs, oldest first (an empty array when there is no log yet), each
 * step with its name (its label when logged before version 5). New
 * reference, or NULL (err set) when the log cannot be read: not JSON, of
 * a version other than 1 to RL_RUNLOG_VERSION (a newer relaunch's, read
 * after a downgrade: rl_runlog_append moves it aside whole), or a run
 * missing a field every version wrote or holding one of another type
 * (err names the line the run begins on). Keys no version of this
 * relaunch writes, in a log of a version it reads, are ignored: left out
 * of the runs returned, kept in the file by rl_runlog_append. */
json_t *rl_runlog_load(const char *statedir, struct rl_error *err);

#endif
