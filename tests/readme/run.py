"""Runs every code block of every README of the repository, as a reader would use them.

    .venv/bin/python tests/readme/run.py [README.md ...]      (make test-readme)

Every ``README.md`` that git tracks is read (a new one, or a new section, is picked up with no
change here). Each fenced block must name its language, and each language has a handler:

* ``python``: run in one namespace per README, block after block (a later block may use what an
  earlier one defined, as a reader would); a block defining ``test_*`` functions is a pytest
  module and is run with pytest.
* ``js``: each block as its own ES module (a ``node:test`` block with ``node --test``), after
  a prelude that defines, as globals, the names the README's prose leaves to the reader
  (``client``, ``profileKey``, ``appPassword``, ``signal``...) and the package's exports.
* ``rust``: every block of the README compiled into one program (each block the body of an
  async function that gets ``client``, ``key`` and ``app_password``) against the built
  ``postcore`` crate, then run.
* ``sh``: with bash, the built ``postcore`` command first on ``PATH``, in a scratch directory
  holding a ``users.csv``.
* ``text``: listings (usage, layouts): not run.
* ``json`` and ``csv``: data a reader copies (a configuration, an import file): parsed, so
  that a typo in one fails the run (every CSV row has the header's columns). A CSV block is
  also the file the next ``sh`` block reads: it is written under the first ``*.csv`` name
  that block names (with an empty file for each ``contentFile`` it lists).

Each (README, language) gets a fresh local server (``postcore.testing.MockServer``) with
``POSTCORE_BASE_URL`` / ``POSTCORE_API_KEY`` pointing at it, seeded with the profiles the
prose mentions: ``prof_readme`` (LinkedIn connected; the blocks connect Bluesky) and
``prof_abc123def456`` (both connected).

A block that cannot run here (it rebuilds the repository, installs software, or names a
company's proxy) says so on the line before its fence::

    <!-- readme-test: skip (why) -->

Anything else (an unknown or missing language, a block that fails) fails the run. Prints one
line per block and ends with ``N passed, N failed, N skipped``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SKIP = re.compile(r"^<!--\s*readme-test:\s*skip\s*\((.+)\)\s*-->\s*$")
FENCE = re.compile(r"^```(\S*)\s*$")
LANGUAGES = ("python", "js", "rust", "sh", "text", "json", "csv")
DATA = ("json", "csv")
BLOCK_TIMEOUT = 120
SEED = {
    "profiles": [
        {
            "profileKey": "prof_readme",
            "profileName": "User: readme",
            "connect": ["linkedin"],
        },
        {"profileKey": "prof_abc123def456", "connect": ["linkedin", "bluesky"]},
    ]
}
APP_PASSWORD = "abcd-efgh-ijkl-mnop"


@dataclass
class Block:
    path: Path
    line: int
    language: str
    code: str
    skip: str | None
    # Files the block reads that the README shows just before it (a CSV to import), by name.
    files: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def readmes() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "*README.md", "README.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted({ROOT / p for p in out.split()})


def blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        marker = SKIP.match(lines[start - 1]) if start > 0 else None
        yield Block(
            path,
            start + 1,
            match.group(1),
            "\n".join(body) + "\n",
            marker and marker.group(1),
        )


# ------------------------------------------------------------------------------ sessions


class Session:
    """One fresh local server for one README and one language, and a scratch directory."""

    def __init__(self, name: str) -> None:
        from postcore.testing import MockServer

        self.server = MockServer(rate_window=30).start()
        self.server.seed(SEED)
        self.dir = Path(tempfile.mkdtemp(prefix=f"readme-{name}-"))
        self.env = {
            **os.environ,
            "POSTCORE_BASE_URL": self.server.base_url,
            "POSTCORE_API_KEY": self.server.api_key,
        }

    def close(self) -> None:
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def run(self, argv: list[str], **kwargs: Any) -> None:
        """Runs a program in its own process group (a block may leave a server running in
        the background: the whole group is stopped afterwards)."""
        # Output to a file, not a pipe: a background process the block starts keeps a pipe
        # open, and the block is over when its own process is.
        with tempfile.TemporaryFile("w+") as log:
            process = subprocess.Popen(
                argv,
                cwd=kwargs.pop("cwd", self.dir),
                env=kwargs.pop("env", self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            try:
                process.wait(timeout=BLOCK_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.write(f"\n(no end after {BLOCK_TIMEOUT} s)")
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.seek(0)
            output = log.read()
        if os.environ.get("README_TEST_VERBOSE"):
            print(output, end="")
        if process.returncode != 0:
            raise RuntimeError(f"exit status {process.returncode}:\n{output}")


def run_python(session: Session, block: Block, namespace: dict[str, Any]) -> None:
    if re.search(r"^def test_\w+\(", block.code, re.M):
        file = session.dir / f"test_readme_{block.line}.py"
        file.write_text(block.code)
        env = {k: v for k, v in session.env.items() if not k.startswith("POSTCORE_")}
        session.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", file.name],
            env=env,
        )
        return
    saved = dict(os.environ)
    os.environ.update(session.env)
    cwd = os.getcwd()
    os.chdir(session.dir)
    try:
        exec(compile(block.code, block.where, "exec"), namespace)
    except SystemExit as e:  # a script that ends with sys.exit(main())
        if e.code not in (0, None):
            raise RuntimeError(f"the block exited with status {e.code}") from e
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)


JS_PRELUDE = f"""\
// The names the README's prose leaves to the reader.
import * as postcore from 'postcore'
Object.assign(globalThis, postcore)
globalThis.client = new postcore.Postcore()
globalThis.profileKey = 'prof_readme'
globalThis.appPassword = {APP_PASSWORD!r}
globalThis.signal = new AbortController().signal
globalThis.content = 'Hello!'
globalThis.scheduledFor = new Date(Date.now() + 3_600_000)
"""


def run_js(session: Session, block: Block) -> None:
    modules = session.dir / "node_modules"
    if not modules.exists():
        modules.mkdir()
        (modules / "postcore").symlink_to(ROOT / "bindings-node")
        (session.dir / "prelude.mjs").write_text(JS_PRELUDE)
        (modules / ".bin").mkdir()
        (modules / ".bin" / "postcore").symlink_to(
            ROOT / "bindings-node" / "lib" / "cli.js"
        )
    file = session.dir / f"block_{block.line}.mjs"
    if "from 'node:test'" in block.code:
        file.write_text(block.code)
        env = {k: v for k, v in session.env.items() if not k.startswith("POSTCORE_")}
        session.run(["node", "--test", file.name], env=env)
        return
    file.write_text("import './prelude.mjs'\n" + block.code)
    session.run(["node", file.name])


def run_sh(session: Session, block: Block) -> None:
    users = session.dir / "users.csv"
    if not users.exists():
        users.write_text(
            "id,email,plan\n1,ann@example.com,free\n2,bob@example.com,pro\n"
        )
        modules = session.dir / "node_modules"
        modules.mkdir(exist_ok=True)
        if not (modules / "postcore").exists():
            (modules / "postcore").symlink_to(ROOT / "bindings-node")
            (modules / ".bin").mkdir()
            (modules / ".bin" / "postcore").symlink_to(
                ROOT / "bindings-node" / "lib" / "cli.js"
            )
    for name, text in block.files.items():
        (session.dir / name).write_text(text)
        for row in csv.DictReader(io.StringIO(text)):
            if row.get("contentFile"):
                content = session.dir / row["contentFile"]
                content.parent.mkdir(parents=True, exist_ok=True)
                content.write_text("Launch day.\n")
    env = {
        **session.env,
        "PATH": f"{ROOT / 'target' / 'debug'}{os.pathsep}{session.env['PATH']}",
    }
    session.run(["bash", "-euo", "pipefail", "-c", block.code], env=env)


RUST_PRELUDE = """\
#![allow(unused_variables, unused_imports, clippy::all)]
use std::time::Duration;

use postcore::*;

type BlockResult = std::result::Result<(), Box<dyn std::error::Error>>;
"""


def rust_program(blocks: list[Block]) -> str:
    functions = []
    calls = []
    for i, block in enumerate(blocks):
        body = textwrap.indent(block.code, "    ")
        functions.append(
            f"// {block.where}\n"
            f"async fn block_{i}(client: &Client, key: &str, app_password: &str)"
            " -> BlockResult {\n"
            f"{body}    Ok(())\n}}\n"
        )
        calls.append(
            f'        block_{i}(&client, "prof_readme", "{APP_PASSWORD}").await'
            f'.map_err(|e| format!("{block.where}: {{e}}"))?;\n'
            f'        println!("ok   {block.where}");\n'
        )
    return (
        RUST_PRELUDE
        + "\n".join(functions)
        + "\nfn main() -> std::result::Result<(), String> {\n"
        + "    let runtime = tokio::runtime::Builder::new_current_thread()\n"
        + "        .enable_all()\n        .build()\n        .map_err(|e| e.to_string())?;\n"
        + "    runtime.block_on(async {\n"
        + "        let client = Client::from_env().map_err(|e| e.to_string())?;\n"
        + "".join(calls)
        + "        Ok(())\n    })\n}\n"
    )


def rust_externs() -> list[str]:
    """``--extern`` arguments for the built ``postcore`` crate and ``tokio``, from cargo."""
    out = subprocess.run(
        ["cargo", "build", "--locked", "-q", "-p", "postcore", "--message-format=json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("reason") != "compiler-artifact":
            continue
        name = message["target"]["name"]
        if name in ("postcore", "tokio"):
            found[name] = next(f for f in message["filenames"] if f.endswith(".rlib"))
    return [f"--extern={name}={path}" for name, path in sorted(found.items())]


def run_rust(session: Session, rust: list[Block]) -> None:
    source = session.dir / "readme.rs"
    source.write_text(rust_program(rust))
    binary = session.dir / "readme"
    deps = ROOT / "target" / "debug" / "deps"
    compile_ = [
        "rustc", "--edition=2024", "--crate-type=bin", "-Cdebuginfo=0", f"-Ldependency={deps}",
        *rust_externs(), str(source), "-o", str(binary),
    ]  # fmt: skip
    session.run(compile_)
    session.run([str(binary)])


# ------------------------------------------------------------------------------ data


def check_data(block: Block) -> str | None:
    """Parses a ``json`` or ``csv`` block; the problem found, or None."""
    if block.language == "json":
        try:
            json.loads(block.code)
        except ValueError as error:
            return f"not valid JSON: {error}"
        return None
    rows = list(csv.reader(io.StringIO(block.code)))
    if not rows:
        return "an empty CSV"
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            return f"row {number} has {len(row)} columns, the header {len(rows[0])}"
    return None


# ------------------------------------------------------------------------------ main


def main(argv: list[str]) -> int:
    files = [Path(a).resolve() for a in argv] or readmes()
    passed = failed = skipped = 0

    def report(block: Block, problem: str | None) -> None:
        nonlocal passed, failed
        if problem is None:
            passed += 1
            print(f"ok   {block.where} [{block.language}]", flush=True)
        else:
            failed += 1
            print(
                f"FAIL {block.where} [{block.language}]\n{textwrap.indent(problem, '     ')}",
                flush=True,
            )

    for path in files:
        todo: dict[str, list[Block]] = {}
        shown_csv: str | None = None
        for block in blocks(path):
            if block.language == "csv":
                shown_csv = block.code
            elif block.language == "sh" and shown_csv is not None:
                named = re.search(r"[\w./-]+\.csv", block.code)
                if named:
                    block.files[named.group(0)] = shown_csv
                shown_csv = None
            if block.language not in LANGUAGES:
                known = ", ".join(LANGUAGES)
                report(
                    block,
                    f"no handler for the language {block.language!r} (name one of {known}, "
                    "or mark it: <!-- readme-test: skip (why) -->)",
                )
            elif block.skip is not None:
                skipped += 1
                print(
                    f"skip {block.where} [{block.language}]: {block.skip}", flush=True
                )
            elif block.language in DATA:
                report(block, check_data(block))
            elif block.language != "text":
                todo.setdefault(block.language, []).append(block)
        for language, group in todo.items():
            session = Session(f"{path.parent.name}-{language}")
            try:
                if language == "rust":
                    try:
                        run_rust(session, group)
                        for block in group:
                            report(block, None)
                    except Exception as e:
                        for block in group:
                            report(block, f"{e}")
                    continue
                if language == "python":
                    # `postcore.create_profile()` keeps its client from the environment: a
                    # new server, a new client.
                    import postcore._client

                    postcore._client._default_client = None
                namespace: dict[str, Any] = {
                    "__name__": "__readme__",
                    "key": "prof_readme",
                    "app_password": APP_PASSWORD,
                }
                for block in group:
                    try:
                        if language == "python":
                            run_python(session, block, namespace)
                        elif language == "js":
                            run_js(session, block)
                        else:
                            run_sh(session, block)
                        report(block, None)
                    except Exception:
                        report(block, traceback.format_exc(limit=4))
            finally:
                session.close()
    print(f"readme: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
