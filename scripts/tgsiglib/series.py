# SPDX-License-Identifier: GPL-2.0
"""The patches of the series that are generated, not written by hand.

The selftests and the documentation live at the top level of this
repository (selftests/, Documentation/): that is their one source. The
series carries them as patches that `tgsig series` writes with git
format-patch after the hand-written kernel patches, and that `tgsig check`
regenerates and compares byte for byte.
"""
import dataclasses
import os
import re
import shutil
import subprocess
import tempfile

from .errors import TgsigError
from .workspace import BASE_TAG, GIT_ENV, series_files

# The cover letter's subject (first paragraph) and text (the rest); tgsig
# series writes patches/0000-cover-letter.patch from it.
COVER_SOURCE = 'patches/cover-letter.txt'

# Fixed dates and identity make the generated patches the same bytes for
# the same inputs.
_DATE = '2026-11-22T00:00:00+00:00'
_NAME = 'Seed 1c58a95a maintainers'
_EMAIL = 'maintainers@users.noreply.h-seed-1c58a95a.example'
# The cover letter's From: is the committer's.
_ENV = dict(GIT_ENV, GIT_AUTHOR_DATE=_DATE, GIT_COMMITTER_DATE=_DATE,
            GIT_AUTHOR_NAME=_NAME, GIT_AUTHOR_EMAIL=_EMAIL,
            GIT_COMMITTER_NAME=_NAME, GIT_COMMITTER_EMAIL=_EMAIL)
_SIGNOFF = (f'Signed-off-by: {_ENV["GIT_AUTHOR_NAME"]} '
            f'<{_ENV["GIT_AUTHOR_EMAIL"]}>')


@dataclasses.dataclass
class Generated:
    subject: str
    body: str
    copies: list        # (top-level path, path in the kernel tree)
    # (file in the tree, line to insert, next to this line[, 'before'])
    inserts: list


# The selftest collections the series adds, in the order they are listed.
_COLLECTIONS = ['tg_signal', 'tg_signal_failslab', 'tg_signal_storm']

GENERATED = [
    Generated(
        subject='selftests: add tests of thread-group signal semantics',
        body='''\
Linux has no selftests for what happens when a signal meets a thread
group: which thread a process-directed signal runs on, that a fatal
default action anywhere kills the whole group, that a stop signal stops
every thread, that exec from a non-leader thread keeps the pid, and that
the exit of a PID namespace's init takes every task in the namespace with
it before its parent's wait returns. These are the rules that kernel
reviewers reason about most often, and the ones a change to
kernel/signal.c is most likely to break unnoticed.

Add tools/testing/selftests/tg_signal: programs written with
kselftest_harness.h whose test names state the rule each one pins, so
that the list of names reads as a specification. Where the behaviour is
Linux-specific but deterministic (the main thread is tried first, the
choice stays on signal->curr_target), the test name says so with a
linux_ prefix. No test sleeps to synchronise or asserts a time: they wait
on futex words, pipes, pidfds and task states in /proc.

kill_all_pidns pins kill(-1) inside a PID namespace: the exact
recipients, the return values and a bounded fork race; every kill(-1)
it sends goes through a guard that refuses to send from the initial
namespace. trace_wake_target checks the new signal:signal_wake_target
event against the thread whose handler ran; it skips on kernels without
the event.

tg_signal_storm runs a bounded storm of process- and thread-directed
signals, forks, execs, exits, group stops and PID namespaces, and then
checks that every task was reaped, that no queued real-time signal was
lost or duplicated, and that the sigqueue objects and RLIMIT_SIGPENDING
count are back where they started. tg_signal_failslab fails sigqueue
allocations of the sender with failslab: a classic signal is still
delivered, a real-time one sent with a siginfo fails with EAGAIN.

The tests pass on v6.12 without the rest of this series (except the
tracepoint test, which skips there), and each rule is shown to be tested
by a kernel change that breaks it and makes the named tests fail.''',
        copies=[(f'selftests/{c}', f'tools/testing/selftests/{c}')
                for c in _COLLECTIONS],
        inserts=[('tools/testing/selftests/Makefile', f'TARGETS += {c}',
                  f'TARGETS += {after}')
                 for c, after in zip(_COLLECTIONS, ['syscall_user_dispatch']
                                     + _COLLECTIONS)] +
                [('MAINTAINERS', f'F:\ttools/testing/selftests/{c}/',
                  after)
                 for c, after in zip(_COLLECTIONS, [
                     'F:\tkernel/signal_kunit.c'] + [
                     f'F:\ttools/testing/selftests/{c}/'
                     for c in _COLLECTIONS])]),
    Generated(
        subject='Documentation: core-api: add thread-group signal semantics',
        body='''\
What Linux guarantees when a signal is sent to a multi-threaded process,
and what it does that POSIX leaves open, is today written down only in
kernel/signal.c's code and comments. People who debug runtimes and
profilers read the source to find out which thread a signal ran on.

Add a reference page: the action table, process- and thread-directed
delivery, how complete_signal() chooses the thread, the broadcast of
fatal signals, group stop and continue, exec from a non-leader thread,
the PID namespace zap, and how to watch it with the signal tracepoints.
Every rule it states names the selftest that pins it.''',
        copies=[('Documentation/core-api/thread-group-signals.rst',
                 'Documentation/core-api/thread-group-signals.rst')],
        inserts=[('Documentation/core-api/index.rst',
                  '   thread-group-signals', '   workqueue'),
                 ('MAINTAINERS',
                  'F:\tDocumentation/core-api/thread-group-signals.rst',
                  'F:\tkernel/signal_kunit.c', 'before')]),
]


def handwritten(patch_dir):
    """The series' kernel patches: every patch but the generated ones."""
    subjects = {g.subject for g in GENERATED}
    return [p for p in series_files(patch_dir) if subject(p) not in subjects]


def subject(patch):
    """A patch file's subject, without its [PATCH n/m] prefix."""
    headers, last = {}, None
    with open(patch, encoding='utf-8', errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line:
                break
            if line[0] in ' \t' and last:
                headers[last] += ' ' + line.strip()
            elif ':' in line:
                last, _, value = line.partition(':')
                headers[last] = value.strip()
    text = headers.get('Subject', '')
    if text.startswith('['):
        text = text.partition(']')[2].strip()
    return text


def _git(repo, *args, capture=False):
    proc = subprocess.run(['git', '-C', repo, *args], env=dict(os.environ,
                          **_ENV), capture_output=True, text=True)
    if proc.returncode != 0:
        raise TgsigError(f'git {" ".join(args)} failed in {repo}:\n'
                         + proc.stderr.strip())
    return proc.stdout if capture else None


def _insert_line(path, line, anchor, where='after'):
    with open(path, encoding='utf-8') as f:
        rows = f.read().split('\n')
    if line in rows:
        return
    if anchor not in rows:
        raise TgsigError(f'{path}: no line {anchor!r} to insert {line!r} '
                         f'{where}; update GENERATED in scripts/tgsiglib/'
                         'series.py for this tree')
    rows.insert(rows.index(anchor) + (where == 'after'), line)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(rows))


def generate(repo, top, base, out_dir, files_of):
    """Write base's series into out_dir.

    repo: a kernel git tree of base holding tag tgsig-base (it is left
    checked out at the series' head); top: this repository; base: a
    bases.Base; files_of(path): the files of a top-level path that belong
    in a tree. Returns the paths written."""
    patch_dir = os.path.join(top, base.patch_dir)
    kernel = handwritten(patch_dir)
    _git(repo, 'checkout', '-q', '-f', '-B', 'tgsig-generate', BASE_TAG)
    _git(repo, 'clean', '-q', '-fdx')
    for patch in kernel:
        _git(repo, 'am', '-q', '--committer-date-is-author-date', patch)
    for gen in GENERATED:
        for src, dest in gen.copies:
            src_abs = os.path.join(top, src)
            if not os.path.exists(src_abs):
                raise TgsigError(f'{src} is missing: it is the source of '
                                 f'the patch "{gen.subject}"')
            dest_abs = os.path.join(repo, dest)
            if os.path.isdir(src_abs):
                if os.path.isdir(dest_abs):
                    shutil.rmtree(dest_abs)
                for f in files_of(src_abs):
                    target = os.path.join(dest_abs,
                                          os.path.relpath(f, src_abs))
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copy2(f, target)
            else:
                os.makedirs(os.path.dirname(dest_abs), exist_ok=True)
                shutil.copy2(src_abs, dest_abs)
            _git(repo, 'add', '-f', '--', dest)
        for path, line, *anchor in gen.inserts:
            _insert_line(os.path.join(repo, path), line, *anchor)
            _git(repo, 'add', '-f', '--', path)
        _git(repo, 'commit', '-q', '-m',
             f'{gen.subject}\n\n{gen.body}\n\n{_SIGNOFF}')
    os.makedirs(out_dir, exist_ok=True)
    # The whole series in one format-patch, so that every subject says
    # [PATCH n/N] of the same N; the hand-written patches come out as
    # they went in, renumbered.
    cover = os.path.join(top, COVER_SOURCE)
    argv = ['format-patch', '--no-signature', '--zero-commit',
            f'--subject-prefix={base.subject_prefix}']
    if base.cover_letter and os.path.exists(cover):
        argv.append('--cover-letter')
    names = _git(repo, *argv, '-o', out_dir, f'{BASE_TAG}..HEAD',
                 capture=True)
    names = [line.strip() for line in names.splitlines() if line.strip()]
    for name in names:
        if os.path.basename(name).startswith('0000-'):
            fill_cover_letter(name, cover, top, maintainers(
                repo, [n for n in names if n != name]))
    return names


def maintainers(repo, patches):
    """Whom the series goes to: scripts/get_maintainer.pl of the tree the
    series is made against, for all of its patches, without roles or git
    history, so that the same tree always gives the same list."""
    proc = subprocess.run(
        ['perl', os.path.join(repo, 'scripts', 'get_maintainer.pl'),
         '--no-rolestats', '--no-git', '--no-git-fallback', *patches],
        cwd=repo, capture_output=True, text=True)
    if proc.returncode != 0:
        raise TgsigError('scripts/get_maintainer.pl failed in '
                         f'{repo}:\n' + proc.stderr.strip())
    return [line.strip() for line in proc.stdout.splitlines()
            if line.strip()]


def fill_cover_letter(path, source, top, cc=()):
    """Put the cover letter's subject and text, from its source, where
    format-patch left placeholders; the text may include generated files
    with @include PATH@ on a line of its own, so that no figure is
    retyped. cc: the Cc: headers, one address each."""
    with open(source, encoding='utf-8') as f:
        subject, _, blurb = f.read().partition('\n\n')
    out = []
    for line in blurb.rstrip('\n').split('\n'):
        m = re.fullmatch(r'@include (\S+)@', line)
        if m:
            inc = os.path.join(top, m.group(1))
            if not os.path.exists(inc):
                raise TgsigError(f'{COVER_SOURCE} includes {m.group(1)}, '
                                 'which does not exist')
            with open(inc, encoding='utf-8') as f:
                out.append(f.read().rstrip('\n'))
        else:
            out.append(line)
    with open(path, encoding='utf-8') as f:
        text = f.read()
    head, sep, rest = text.partition('\n\n')
    text = head + ''.join(f'\nCc: {a}' for a in cc) + sep + rest
    text = text.replace('*** SUBJECT HERE ***', subject.strip(), 1)
    text = text.replace('*** BLURB HERE ***', '\n'.join(out), 1)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def regenerate(repo, top, base, files_of):
    """Write base's series into its patch directory: the hand-written
    patches renumbered, the generated ones after them."""
    patch_dir = os.path.join(top, base.patch_dir)
    tmp = tempfile.mkdtemp()
    try:
        fresh = generate(repo, top, base, tmp, files_of)
        for p in series_files(patch_dir):
            os.unlink(p)
        out = []
        for p in fresh:
            dest = os.path.join(patch_dir, os.path.basename(p))
            shutil.move(p, dest)
            out.append(dest)
        return out
    finally:
        shutil.rmtree(tmp)


def stale(repo, top, base, files_of):
    """Patches in base's patch directory that differ from what
    generate() writes now: a list of (file name, what is wrong)."""
    patch_dir = os.path.join(top, base.patch_dir)
    have = {os.path.basename(p): p for p in series_files(patch_dir)}
    cover = os.path.join(patch_dir, '0000-cover-letter.patch')
    if os.path.exists(cover):
        have[os.path.basename(cover)] = cover
    tmp = tempfile.mkdtemp()
    try:
        fresh = {os.path.basename(p): p for p in
                 generate(repo, top, base, tmp, files_of)}
        wrong = []
        for name in sorted(set(have) | set(fresh)):
            if name not in have:
                wrong.append((name, 'missing from patches/'))
            elif name not in fresh:
                wrong.append((name, 'no longer generated'))
            else:
                with open(have[name], 'rb') as a, open(fresh[name], 'rb') as b:
                    if a.read() != b.read():
                        wrong.append((name, 'differs from its sources'))
        return wrong
    finally:
        shutil.rmtree(tmp)
