"""Helpers shared by the e2e tests: run the gatehouse binary, talk raw HTTP, run psql."""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

from contract_check import check_response

LISTENING_RE = re.compile(r"^listening on (https?://\S+?)/?\s*$")
COLLECTORS_RE = re.compile(r"^collectors listening on (https://\S+?)/?\s*$")
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 15.0



def free_port() -> int:
    """A port that was free a moment ago (bind to 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test process environment without any GATEHOUSE_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEHOUSE_")}
    # Tests run servers side by side: the collectors' mTLS listener takes a free port too, unless a test says.
    env["GATEHOUSE_COLLECTORS_LISTEN"] = "127.0.0.1:0"
    env.update(extra or {})
    return env


def bin_path() -> str:
    path = os.environ.get("GATEHOUSE_BIN")
    if not path:
        pytest.skip("GATEHOUSE_BIN is not set (run through ctest, or export it)")
    if not os.access(path, os.X_OK):
        pytest.fail(f"GATEHOUSE_BIN={path} is not an executable file")
    return path


def run_cli(args: list[str], *, cwd=None, env=None, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run `gatehouse ARGS...` to completion, capturing text output."""
    return subprocess.run(
        [bin_path(), *args],
        cwd=cwd,
        env=clean_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Server:
    """One running `gatehouse serve`. stdout and stderr are drained into `log_path` by background
    threads so the pipes never fill; the URL comes from the `listening on URL` line on stdout."""

    def __init__(self, args: list[str], *, cwd: Path, log_path: Path, env: dict[str, str] | None = None):
        self.args = [bin_path(), *args]
        self.cwd = cwd
        self.log_path = log_path
        self.env = clean_env(env)
        self.url: str | None = None
        self.collectors_url: str | None = None  # the mTLS listener's
        self.proc: subprocess.Popen | None = None
        self.started_at: float | None = None
        self._listening = threading.Event()
        self._log_lock = threading.Lock()
        self._log = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, wait: bool = True) -> "Server":
        self._log = open(self.log_path, "ab", buffering=0)
        self._log.write(("$ " + " ".join(self.args) + "\n").encode())
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            self.args,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: os.umask(0o022),
        )
        for stream, name in ((self.proc.stdout, "stdout"), (self.proc.stderr, "stderr")):
            t = threading.Thread(target=self._drain, args=(stream, name == "stdout"), daemon=True)
            t.start()
            self._threads.append(t)
        if wait:
            self.wait_listening()
        return self

    def _drain(self, stream, is_stdout: bool) -> None:
        for raw in iter(stream.readline, b""):
            with self._log_lock:
                self._log.write(raw)
            if is_stdout and not self._listening.is_set():
                if c := COLLECTORS_RE.match(raw.decode(errors="replace").strip()):
                    self.collectors_url = c.group(1)
                m = LISTENING_RE.match(raw.decode(errors="replace").strip())
                if m:
                    self.url = m.group(1)
                    self._listening.set()
        stream.close()

    def wait_listening(self, timeout: float = START_TIMEOUT_S) -> str:
        deadline = time.monotonic() + timeout
        while not self._listening.wait(0.05):
            if self.proc.poll() is not None:
                time.sleep(0.1)  # let the drain threads write the last lines
                raise AssertionError(
                    f"gatehouse exited with {self.proc.returncode} before listening\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"no 'listening on ' line on stdout within {timeout}s\n{self.log_tail()}")
        return self.url

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """SIGTERM, wait up to `timeout`, SIGKILL after that. Returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._close()
                raise AssertionError(f"gatehouse did not exit within {timeout}s of SIGTERM\n{self.log_tail()}")
        self._close()
        return self.proc.returncode

    def _close(self) -> None:
        for t in self._threads:
            t.join(timeout=5)
        if self._log and not self._log.closed:
            self._log.close()

    # -- conveniences ------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.url).port

    def get(self, path: str, **kw) -> requests.Response:
        return self.request("GET", path, **kw)

    def request(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 5)
        resp = requests.request(method, self.url + path, **kw)
        if not kw.get("stream"):
            check_response(self.url, self.args[0], method, path, resp)
        return resp

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "--- gatehouse log (tail) ---\n" + "\n".join(text[-lines:])


def psql_path() -> str:
    for candidate in ("/usr/lib/postgresql/15/bin/psql", shutil.which("psql")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("psql not found (postgresql-client-15)")


def psql(url: str, sql: str) -> None:
    result = subprocess.run(
        [psql_path(), url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"psql {sql!r} failed:\n{result.stderr}"


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


# ---------------------------------------------------------------------------------------------
# raw HTTP over a socket, for what client libraries refuse to send


class RawResponse:
    def __init__(self, status: int, reason: str, headers: dict[str, str], body: bytes):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self):
        import json

        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<RawResponse {self.status} {self.reason} {self.headers} {self.body[:200]!r}>"


def connect(port: int, timeout: float = 5.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def send_quietly(sock: socket.socket, data: bytes) -> bool:
    """sendall, but a peer that already answered and closed is not an error here."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def read_response(sock: socket.socket, *, head_only: bool = False) -> RawResponse:
    """Read one HTTP/1.1 response (Content-Length, chunked, or until close). Raises
    ConnectionError when the peer closes before a complete status line and headers."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before a complete response head: {buf[:200]!r}")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    version, status, *reason = lines[0].split(" ", 2)
    assert version.startswith("HTTP/1."), f"bad status line {lines[0]!r}"
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if head_only:
        return RawResponse(int(status), reason[0] if reason else "", headers, rest)

    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        data = rest
        while True:
            while b"\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed inside a chunked body")
                data += chunk
            size_line, data = data.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(data) < size + 2:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed inside a chunk")
                data += chunk
            if size == 0:
                break
            body += data[:size]
            data = data[size + 2 :]
    elif "content-length" in headers:
        length = int(headers["content-length"])
        body = rest
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"connection closed after {len(body)} of {length} body bytes")
            body += chunk
        body = body[:length]
    else:
        body = rest
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return RawResponse(int(status), reason[0] if reason else "", headers, body)


def raw_exchange(port: int, data: bytes, timeout: float = 5.0) -> RawResponse:
    """Send `data` on a fresh connection and read one response."""
    with connect(port, timeout) as sock:
        send_quietly(sock, data)
        return read_response(sock)


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    """Everything the peer sends until it closes; fails if it is still open after `timeout`."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    except ConnectionResetError:
        return data


# ---------------------------------------------------------------------------------------------
# identity: users, logins, tokens, audit (tests/e2e/test_auth*.py, test_users*.py, test_audit*.py ...)

import base64  # noqa: E402
import hashlib  # noqa: E402
import hmac  # noqa: E402
import json as _json  # noqa: E402
import uuid as _uuid  # noqa: E402
from dataclasses import dataclass  # noqa: E402

ADMIN_PASSWORD = "e2e-Admin-pw-Q7x"
# Cheap argon2id so tests that hash many passwords stay fast (the timing test uses the defaults).
FAST_HASH_ARGS = ("--auth-argon2-opslimit", "1", "--auth-argon2-memlimit-kib", "8192")
PROBLEM_JSON = "application/problem+json"
API = "/api/v1"


@functools.lru_cache(maxsize=None)
def _knows_option(flag: str) -> bool:
    """Whether the binary under test has `flag` (so these tests can also run against an older build, to show
    which of them fail without a change)."""
    out = subprocess.run([bin_path(), "serve", "--help"], capture_output=True, text=True, timeout=30)
    return flag in out.stdout + out.stderr


def start_identity(start, *extra, data_dir=None, admin_password: str = ADMIN_PASSWORD, fast_hash: bool = True,
                   attempts_per_minute: int | None = 100000, env: dict | None = None, **kw) -> Server:
    """Start a gatehouse through a start_server-style factory with a known admin password, cheap
    hashing and (by default) a login rate limit high enough never to trigger. Sets `.data_dir`."""
    args: list[str] = list(FAST_HASH_ARGS) if fast_hash else []
    if attempts_per_minute is not None:
        args += ["--auth-login-attempts-per-minute", str(attempts_per_minute)]
        if attempts_per_minute >= 1000 and _knows_option("--auth-login-failures-per-account-per-minute"):
            # "never trigger": the per-account limit for strangers too
            args += ["--auth-login-failures-per-account-per-minute", str(attempts_per_minute)]
    args += [str(a) for a in extra]
    env = {"GATEHOUSE_ADMIN_PASSWORD": admin_password, **(env or {})}
    if data_dir is not None:
        kw["data_dir"] = str(data_dir)
    server = start(*args, env=env, **kw)
    if data_dir is not None:
        server.data_dir = Path(data_dir)
    assert getattr(server, "data_dir", None), "pass data_dir= (start_module_server sets it itself)"
    return server


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(resp: requests.Response, status: int) -> dict:
    """`resp` is an RFC 9457 problem with `status`; returns the body."""
    assert resp.status_code == status, f"expected {status}, got {resp.status_code}: {resp.text[:500]}"
    ctype = resp.headers.get("Content-Type", "")
    assert ctype.startswith(PROBLEM_JSON), f"{status} answer is {ctype!r}, not problem+json: {resp.text[:300]}"
    body = resp.json()
    for key in ("type", "title", "status", "detail"):
        assert key in body, f"problem body lacks {key!r}: {body}"
    assert body["status"] == status, body
    return body


def refresh_cookie_of(resp: requests.Response) -> str | None:
    """The gatehouse_refresh value from a Set-Cookie header ('' when the cookie is cleared)."""
    header = resp.headers.get("Set-Cookie")
    if header is None:
        return None
    m = re.match(r"\s*gatehouse_refresh=([^;]*)", header)
    return m.group(1) if m else None


@dataclass
class Login:
    access: str
    refresh: str
    user: dict
    response: requests.Response

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access)


def login(server: Server, username: str, password: str, **kw) -> requests.Response:
    return server.request("POST", f"{API}/auth/login", json={"username": username, "password": password}, **kw)


def login_ok(server: Server, username: str, password: str, **kw) -> Login:
    resp = login(server, username, password, **kw)
    assert resp.status_code == 200, f"login {username!r}: {resp.status_code} {resp.text[:300]}"
    body = resp.json()
    refresh = refresh_cookie_of(resp)
    assert refresh, f"no refresh cookie in {resp.headers}"
    return Login(body["access_token"], refresh, body["user"], resp)


def admin_login(server: Server, password: str = ADMIN_PASSWORD) -> Login:
    return login_ok(server, "admin", password)


def create_user(server: Server, admin_token: str, username: str, password: str, role: str = "viewer") -> dict:
    resp = server.request("POST", f"{API}/users", headers=bearer(admin_token),
                          json={"username": username, "password": password, "role": role})
    assert resp.status_code == 201, f"create {username!r}: {resp.status_code} {resp.text[:300]}"
    return resp.json()


def create_api_token(server: Server, token: str, name: str, **fields) -> dict:
    resp = server.request("POST", f"{API}/api-tokens", headers=bearer(token), json={"name": name, **fields})
    assert resp.status_code == 201, f"create API token {name!r}: {resp.status_code} {resp.text[:300]}"
    return resp.json()


def unique(prefix: str) -> str:
    return f"{prefix}-{_uuid.uuid4().hex[:10]}"


def wait_for(fn, timeout: float, what: str, interval: float = 0.25):
    """Calls fn() until it returns something truthy and returns that; fails naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def poll(fn, timeout: float = 3.0, interval: float = 0.05):
    """Calls fn() until it returns something truthy or `timeout` passes; returns the last result."""
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


def audit_page(server: Server, token: str, **params) -> requests.Response:
    return server.request("GET", f"{API}/audit/events", headers=bearer(token), params=params)


def audit_events(server: Server, token: str, max_pages: int = 200, **params) -> list[dict]:
    """Every audit event matching `params`, following next_cursor (bounded)."""
    params.setdefault("limit", 500)
    events: list[dict] = []
    cursor = None
    for _ in range(max_pages):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        resp = audit_page(server, token, **query)
        assert resp.status_code == 200, f"audit query {query}: {resp.status_code} {resp.text[:300]}"
        body = resp.json()
        events += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return events
    raise AssertionError(f"audit paging did not end within {max_pages} pages")


def wait_audit(server: Server, token: str, predicate, timeout: float = 3.0, **params) -> list[dict]:
    """Audit writes are asynchronous: polls until some event matching `params` satisfies
    `predicate`; returns the matching events (fails when none appear in time)."""
    found = poll(lambda: [e for e in audit_events(server, token, **params) if predicate(e)], timeout=timeout)
    assert found, f"no audit event matching {params} and the predicate within {timeout}s"
    return found


def events_through(server: Server, token: str, request_id: str, timeout: float = 10.0) -> list[dict]:
    """Every audit event, once the event of request `request_id` is stored. The audit writer keeps the order of
    its queue, so every event recorded before that one is stored too: a scan of the result misses nothing."""
    events = poll(lambda: (lambda found: found if any(e["request_id"] == request_id for e in found) else None)(
        audit_events(server, token)), timeout=timeout, interval=0.1)
    assert events, f"the audit event of request {request_id} did not arrive within {timeout}s"
    return events


# -- JWT crafting (the HS256 key is <data-dir>/jwt.key, 32 bytes as hex) ------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_key(data_dir) -> bytes:
    return bytes.fromhex((Path(data_dir) / "jwt.key").read_text().strip())


def jwt_claims(token: str) -> dict:
    return _json.loads(b64url_decode(token.split(".")[1]))


def make_jwt(key: bytes | None, claims: dict, header: dict | None = None, digest=hashlib.sha256) -> str:
    """A compact JWS; signed with HMAC-`digest` under `key`, or with an empty signature when key is None."""
    header = {"alg": "HS256", "typ": "JWT"} if header is None else header
    signing_input = b64url(_json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(_json.dumps(claims, separators=(",", ":")).encode())
    signature = b"" if key is None else hmac.new(key, signing_input.encode(), digest).digest()
    return signing_input + "." + b64url(signature)


def claims_for(user_id: str, role: str = "admin", *, lifetime: int = 600, **extra) -> dict:
    now = int(time.time())
    claims = {"sub": user_id, "role": role, "jti": str(_uuid.uuid4()), "fam": str(_uuid.uuid4()), "gen": 0,
              "iat": now, "exp": now + lifetime}
    claims.update(extra)
    return claims


# ---------------------------------------------------------------------------------------------
# fleet: a real OpenSSH server (tests/fixtures/sshd.sh), SSH key fingerprints (tests/e2e/test_fleet_*.py)

SSHD_SCRIPT = Path(__file__).resolve().parent.parent / "fixtures" / "sshd.sh"


def ssh_keygen_l(path) -> tuple[int, str]:
    """(bits, "SHA256:...") as `ssh-keygen -lf PATH` prints them."""
    result = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(path)], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"ssh-keygen -lf {path}: {result.stderr}"
    bits, fingerprint = result.stdout.split()[:2]
    return int(bits), fingerprint


def ssh_keygen(path, *args: str) -> Path:
    """Writes a key pair with `ssh-keygen -q -f PATH ARGS...` (no passphrase unless ARGS has -N)."""
    path = Path(path)
    cmd = ["ssh-keygen", "-q", "-f", str(path), *args]
    if "-N" not in args:
        cmd += ["-N", ""]
    result = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{cmd}: {result.stderr}"
    return path


class Sshd:
    """One throwaway sshd started by tests/fixtures/sshd.sh (stop() removes its directory)."""

    def __init__(self, base: Path):
        self.dir = base / "sshd"
        result = subprocess.run(["bash", str(SSHD_SCRIPT), "start", str(self.dir)], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            subprocess.run(["bash", str(SSHD_SCRIPT), "stop", str(self.dir)], capture_output=True, timeout=60)
            pytest.fail(f"sshd.sh start failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        fields = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        self.port = int(fields["port"])
        self.user = fields["user"]
        self.password = fields["password"]
        self.host_key_pub = Path(fields["host_key_pub"])
        self.client_key = Path(fields["client_key"])

    def host_fingerprint(self) -> str:
        return ssh_keygen_l(self.host_key_pub)[1]

    def restart_new_host_key(self) -> None:
        result = subprocess.run(["bash", str(SSHD_SCRIPT), "restart-new-host-key", str(self.dir)],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"sshd.sh restart-new-host-key: {result.stdout}\n{result.stderr}"

    def stop(self) -> None:
        subprocess.run(["bash", str(SSHD_SCRIPT), "stop", str(self.dir)], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)


def sshd_available() -> str | None:
    """Why the sshd fixture cannot run here, or None."""
    if os.geteuid() != 0:
        return "the sshd fixture must run as root"
    if not os.access("/usr/sbin/sshd", os.X_OK) or not shutil.which("ssh-keygen"):
        return "openssh-server / ssh-keygen are not installed"
    return None


@dataclass
class FleetRoles:
    """Bearer headers of an admin, an operator and a viewer on one gatehouse."""
    admin: dict[str, str]
    operator: dict[str, str]
    viewer: dict[str, str]
    admin_token: str = ""


def fleet_roles(server: Server, password: str = "e2e-Fleet-pw-9Kq") -> FleetRoles:
    admin = admin_login(server)
    heads = {}
    for role in ("operator", "viewer"):
        name = unique(f"fleet-{role}")
        create_user(server, admin.access, name, password, role)
        heads[role] = login_ok(server, name, password).headers
    return FleetRoles(admin.headers, heads["operator"], heads["viewer"], admin.access)


def private_key_body_lines(pem: str, public_line: str) -> list[str]:
    """The base64 lines of a PEM/OpenSSH private key that hold private material: no armour, no
    headers, nothing too short to be distinctive, and none that is also a piece of the public key
    line (an OpenSSH container embeds the public key, which gatehouse rightly shows)."""
    lines = [line.strip() for line in pem.splitlines()
             if line.strip() and "-----" not in line and ":" not in line and len(line.strip()) >= 24]
    lines = [line for line in lines if line not in public_line]
    assert lines, "no private base64 line to look for"
    return lines
