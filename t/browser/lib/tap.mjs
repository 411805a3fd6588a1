// A small TAP producer for the browser tests: one line per assertion on
// the standard output; what a failure got and expected follows it as
// "#   " lines, notes as "# " lines. Scenarios are async functions
// run one after another; one that throws or runs past its time limit is
// a failed assertion of its own, and the next scenario still runs.

import { inspect } from 'node:util';

let count = 0;
let failed = 0;
let current = null;         // the running scenario's name

function out(line) {
    process.stdout.write(line + '\n');
}

export function note(...msg) {
    for (const line of msg.join(' ').split('\n')) {
        out('# ' + line);
    }
}

// details of a failure: right after its "not ok" line, indented
export function diag(...msg) {
    for (const line of msg.join(' ').split('\n')) {
        out('#   ' + line);
    }
}

function clean(name) {
    // a "#" would start a directive, a newline a new TAP line
    return String(name).replace(/[\r\n]+/g, ' ').replace(/#/g, '\\#');
}

// a value as the diagnostics show it: long strings (whole pages) cut
function show(v) {
    let s = typeof v === 'string' ? JSON.stringify(v)
        : inspect(v, { depth: 6, breakLength: 100 });
    if (s.length > 1500) {
        s = s.slice(0, 1500) + ` ... (${s.length} characters)`;
    }
    return s;
}

export function ok(cond, name, ...why) {
    count++;
    const full = current ? `${current}: ${name}` : name;
    out(`${cond ? 'ok' : 'not ok'} ${count} - ${clean(full)}`);
    if (!cond) {
        failed++;
        for (const w of why) {
            if (w !== undefined) {
                diag(typeof w === 'string' ? w : show(w));
            }
        }
    }
    return !!cond;
}

export function is(got, want, name) {
    return ok(Object.is(got, want), name,
        `     got: ${show(got)}`, `expected: ${show(want)}`);
}

export function isnt(got, unwanted, name) {
    return ok(!Object.is(got, unwanted), name,
        `     got: ${show(got)}`, `expected anything else`);
}

export function deepIs(got, want, name) {
    const a = JSON.stringify(got);
    const b = JSON.stringify(want);
    return ok(a === b, name, `     got: ${show(got)}`,
        `expected: ${show(want)}`);
}

export function like(got, re, name) {
    return ok(typeof got === 'string' && re.test(got), name,
        `     got: ${show(got)}`, `expected to match ${re}`);
}

export function unlike(got, re, name) {
    return ok(typeof got === 'string' && !re.test(got), name,
        `     got: ${show(got)}`, `expected not to match ${re}`);
}

export function skip(name, why) {
    count++;
    const full = current ? `${current}: ${name}` : name;
    out(`ok ${count} - ${clean(full)} # SKIP ${clean(why)}`);
}

// runs fn(); an exception or the time limit fails the scenario with one
// more assertion, and the run goes on with the next scenario
export async function scenario(name, fn, { timeout = 60000 } = {}) {
    current = name;
    note(`--- ${name}`);
    let timer;
    try {
        await Promise.race([
            fn(),
            new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(
                    `scenario ran past its ${timeout / 1000} s limit`)),
                    timeout);
            }),
        ]);
    } catch (e) {
        ok(false, 'ran to its end without an error',
            e && e.stack ? e.stack : String(e));
    } finally {
        clearTimeout(timer);
        current = null;
    }
}

export function done() {
    out(`1..${count}`);
    note(`${count} assertions, ${failed} of them failed`);
    return failed;
}

export function failures() {
    return failed;
}
