"""The deployment files of deploy/ (systemd units, nginx site, system user and folders) hold
together with the code: every command they run exists, every periodic task has its timer, and
stored files are reachable only through Essor. Where systemd-analyze or nginx is installed, each
file also passes the tool's own check."""

import configparser
import html.parser
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
NGINX_SITE = DEPLOY / "nginx" / "essor.conf"
INSTALL_ROOT = "/srv/essor"
ENV_FILE = "/etc/essor/essor.env"

# Management commands that must run periodically, and any command of Essor whose name says it
# cleans or erases something: each needs a timer.
PERIODIC_COMMANDS = {
    "clearsessions",
    "prune_db_task_results",
    "send_funding_reminders",
    "insertion_anonymise",
    "village_erase_draw_entries",
}
PERIODIC_NAME = re.compile(r"erase|purge|prune|anonymi|clear|refresh|expire|reminder")


def _unit(path: Path) -> configparser.ConfigParser:
    """A unit file read strictly: a duplicated section or key, or a line that is neither a
    section, a comment nor Key=Value, is an error."""
    parser = configparser.ConfigParser(
        strict=True, interpolation=None, delimiters=("=",), comment_prefixes=("#", ";")
    )
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def _units(suffix: str) -> dict[str, configparser.ConfigParser]:
    return {path.name: _unit(path) for path in sorted(UNITS.glob(f"*{suffix}"))}


def _services() -> dict[str, configparser.ConfigParser]:
    return _units(".service")


def _command_lines(unit: configparser.ConfigParser) -> list[list[str]]:
    return [
        shlex.split(unit["Service"][key])
        for key in ("ExecStart", "ExecReload", "ExecStartPre", "ExecStop")
        if key in unit["Service"]
    ]


def _manage_commands(unit: configparser.ConfigParser) -> list[str]:
    return [
        words[words.index(f"{INSTALL_ROOT}/manage.py") + 1]
        for words in _command_lines(unit)
        if f"{INSTALL_ROOT}/manage.py" in words
    ]


def _env_example() -> dict[str, str]:
    from tests.core.test_env_example import systemd_environment_file

    return systemd_environment_file((ROOT / ".env.example").read_text(encoding="utf-8"))


# --- systemd -------------------------------------------------------------------------------------


def test_the_expected_units_are_there():
    names = {path.name for path in UNITS.iterdir()}
    assert {"essor.socket", "essor.service", "essor-worker.service"} <= names


def test_every_service_runs_as_essor_with_the_environment_file_and_hardening():
    for name, unit in _services().items():
        service = unit["Service"]
        assert unit["Unit"]["Description"], name
        assert service["User"] == "essor", name
        assert service["WorkingDirectory"] == INSTALL_ROOT, name
        assert service["EnvironmentFile"] == ENV_FILE, name
        assert service["ProtectSystem"] == "strict", name
        assert service["NoNewPrivileges"] == "true", name
        assert service["PrivateTmp"] == "true", name
        assert service["StateDirectory"] == "essor", name
        assert service["ReadWritePaths"] == "/var/lib/essor", name


def test_every_program_a_unit_runs_exists():
    """Paths under the install root are looked up in this repository (installed at /srv/essor)."""
    for name, unit in _services().items():
        for words in _command_lines(unit):
            for word in words:
                if word.startswith(INSTALL_ROOT + "/"):
                    assert (ROOT / word.removeprefix(INSTALL_ROOT + "/")).exists(), (name, word)
            program = words[0].lstrip("-@:+!")
            assert program.startswith("/"), (name, program)
            if not program.startswith(INSTALL_ROOT + "/"):
                assert Path(program).exists(), (name, program)


def test_every_management_command_a_unit_runs_exists():
    commands = get_commands()
    for name, unit in _services().items():
        for command in _manage_commands(unit):
            assert command in commands, (name, command)


def test_the_web_service_reloads_gracefully_on_its_socket():
    web = _unit(UNITS / "essor.service")
    socket = _unit(UNITS / "essor.socket")
    assert web["Service"]["ExecReload"] == "/bin/kill -s HUP $MAINPID"
    assert web["Service"]["Type"] == "notify"
    assert "essor.socket" in web["Unit"]["Requires"].split()
    assert "--bind" not in web["Service"]["ExecStart"]  # gunicorn takes systemd's socket
    assert "--preload" not in web["Service"]["ExecStart"]  # a reload loads the new code
    assert socket["Socket"]["ListenStream"] == "127.0.0.1:8000"
    assert socket["Install"]["WantedBy"] == "sockets.target"


def test_the_worker_runs_the_task_queue():
    worker = _unit(UNITS / "essor-worker.service")
    assert _manage_commands(worker) == ["essor_worker"]


def test_every_timer_has_its_service_and_runs_daily():
    timers = _units(".timer")
    assert timers
    for name, timer in timers.items():
        service = UNITS / name.replace(".timer", ".service")
        assert service.exists(), name
        assert _unit(service)["Service"]["Type"] == "oneshot", name
        assert timer["Timer"]["OnCalendar"], name
        assert timer["Timer"]["Persistent"] == "true", name
        assert timer["Install"]["WantedBy"] == "timers.target", name


def test_every_periodic_task_has_a_timer():
    timed = {
        command
        for name in _units(".timer")
        for command in _manage_commands(_unit(UNITS / name.replace(".timer", ".service")))
    }
    essor_commands = {
        command for command, app in get_commands().items() if app.startswith("essor.")
    }
    cleaning = {command for command in essor_commands if PERIODIC_NAME.search(command)}
    assert PERIODIC_COMMANDS | cleaning <= timed


def _verify_root(tmp_path: Path) -> Path:
    """A file system root for systemd-analyze: systemd's own units, the deploy units, and
    stand-ins for the programs of /srv/essor (absent on this machine)."""
    root = tmp_path / "root"
    (root / "etc" / "systemd").mkdir(parents=True)
    shutil.copytree(UNITS, root / "etc" / "systemd" / "system")
    for system_units in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")):
        if system_units.is_dir():
            shutil.copytree(
                system_units, root / "usr" / "lib" / "systemd" / "system", symlinks=True
            )
            break
    for unit in _services().values():
        for words in _command_lines(unit):
            program = Path(str(root) + words[0])
            program.parent.mkdir(parents=True, exist_ok=True)
            if not program.exists():
                program.write_text("#!/bin/sh\n")
                program.chmod(0o755)
    return root


KNOWN_KEYS = {
    "Unit": {"Description", "Documentation", "Requires", "After", "Wants", "PartOf"},
    "Socket": {"ListenStream", "Backlog", "NoDelay"},
    "Timer": {"OnCalendar", "RandomizedDelaySec", "Persistent"},
    "Install": {"WantedBy"},
    "Service": {
        "Type", "NotifyAccess", "User", "Group", "WorkingDirectory", "EnvironmentFile",
        "ExecStart", "ExecReload", "KillMode", "KillSignal", "TimeoutStopSec", "Restart",
        "RestartSec", "StateDirectory", "StateDirectoryMode", "ReadWritePaths", "UMask",
        "PrivateTmp", "ProtectSystem", "ProtectHome", "NoNewPrivileges", "PrivateDevices",
        "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
        "ProtectControlGroups", "ProtectClock", "ProtectHostname", "RestrictSUIDSGID",
        "RestrictRealtime", "RestrictNamespaces", "LockPersonality", "RestrictAddressFamilies",
        "SystemCallArchitectures", "CapabilityBoundingSet",
    },
}  # fmt: skip


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """With systemd-analyze: its verdict on every unit. Without it: every section and key is one
    systemd knows (a misspelt key is silently ignored by systemd)."""
    units = sorted(path.name for path in UNITS.iterdir())
    analyze = shutil.which("systemd-analyze")
    if analyze:
        root = _verify_root(tmp_path)
        result = subprocess.run(
            [analyze, "verify", f"--root={root}", "--man=no"]
            + [str(root / "etc" / "systemd" / "system" / name) for name in units],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.returncode, result.stdout + result.stderr) == (0, "")
    else:
        for name in units:
            unit = _unit(UNITS / name)
            for section in unit.sections():
                assert set(unit[section]) <= KNOWN_KEYS[section], (name, section)


def test_sysusers_and_tmpfiles_create_the_user_and_the_writable_folders():
    sysusers = (DEPLOY / "sysusers.d" / "essor.conf").read_text(encoding="utf-8")
    assert re.search(r"^u\s+essor\s", sysusers, re.MULTILINE)
    # nginx reads the private files it sends on Essor's order.
    assert re.search(r"^m\s+www-data\s+essor\s*$", sysusers, re.MULTILINE)
    tmpfiles = (DEPLOY / "tmpfiles.d" / "essor.conf").read_text(encoding="utf-8")
    folders = {
        fields[1]: fields
        for line in tmpfiles.splitlines()
        if (fields := line.split()) and not line.startswith("#")
    }
    env = _env_example()
    for folder in ("/var/lib/essor", env["MEDIA_ROOT"], env["FILE_UPLOAD_TEMP_DIR"]):
        assert folders[folder][0] == "d" and folders[folder][3] == "essor", folder
        assert folder.startswith("/var/lib/essor"), folder  # writable under ProtectSystem=strict


def test_essor_manage_runs_manage_py_with_the_whole_configuration_exported(tmp_path):
    script = DEPLOY / "bin" / "essor-manage"
    assert os.access(script, os.X_OK)
    assert ENV_FILE in script.read_text(encoding="utf-8")
    configuration = tmp_path / "essor.env"
    configuration.write_text(
        "DEBUG=1\nESSOR_AGENCY_NAME='Agence <test> du Dunkerquois'\n", encoding="utf-8"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "ESSOR_USER": subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip(),
        "ESSOR_ROOT": str(ROOT),
        "ESSOR_ENV": str(configuration),
    }
    result = subprocess.run(
        [str(script), "shell", "-c", "from django.conf import settings; "
         "print(settings.ESSOR_AGENCY_NAME, settings.DEBUG)"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.stdout.splitlines()[-1] == "Agence <test> du Dunkerquois True", result.stderr


# --- nginx ---------------------------------------------------------------------------------------


def _nginx_locations(text: str) -> dict[str, str]:
    """Each `location` of the site and the text of its block."""
    blocks = {}
    for match in re.finditer(r"location\s+([^{]+?)\s*\{", text):
        depth, position = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[position], 0)
            position += 1
        blocks[match.group(1).strip()] = text[match.end() : position - 1]
    return blocks


def _nginx_text() -> str:
    return "\n".join(
        line.split("#", 1)[0] for line in NGINX_SITE.read_text(encoding="utf-8").splitlines()
    )


def test_private_files_are_served_only_from_an_internal_location():
    prefix = _env_example()["ESSOR_PRIVATE_FILES_ACCEL_PREFIX"]
    assert prefix == "/_prive/"
    locations = _nginx_locations(_nginx_text())
    private = locations[prefix]
    assert re.search(r"^\s*internal;", private, re.MULTILINE)
    assert re.search(rf"alias\s+{re.escape(_env_example()['MEDIA_ROOT'])}/;", private)
    assert "X-Content-Type-Options nosniff" in private


def test_no_public_location_publishes_the_stored_files():
    media_root = _env_example()["MEDIA_ROOT"]
    for location, block in _nginx_locations(_nginx_text()).items():
        assert "media" not in location, location
        if media_root in block:
            assert re.search(r"^\s*internal;", block, re.MULTILINE), location


def test_the_site_proxies_to_the_socket_and_serves_the_french_error_page():
    text = _nginx_text()
    assert re.search(r"server\s+127\.0\.0\.1:8000\b", text)  # essor.socket
    assert re.search(r"client_max_body_size\s+2g;", text)
    assert re.search(r"error_page\s+502 503 504\s+/502\.html;", text)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    locations = _nginx_locations(text)
    assert "root /srv/essor/deploy/nginx;" in locations["= /502.html"]
    assert "alias /srv/essor/var/static/;" in locations["/static/"]


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, dict] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.setdefault(tag, dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_the_502_page_is_french_and_accessible():
    page = _Page()
    page.feed((DEPLOY / "nginx" / "502.html").read_text(encoding="utf-8"))
    assert page.tags["html"]["lang"] == "fr"
    assert page.tags["meta"]["charset"] == "utf-8"
    assert {"title", "main", "h1"} <= set(page.tags)
    assert "Service momentanément indisponible" in "".join(page.text)
    assert "src" not in str(page.tags)  # no resource nginx could not serve


def _nginx_binary() -> str | None:
    return os.environ.get("NGINX") or shutil.which("nginx") or shutil.which("/usr/sbin/nginx")


def test_the_nginx_site_passes_nginx_t(tmp_path):
    """With nginx: `nginx -t` on a small configuration that includes the site (with a throwaway
    certificate for the placeholders). Without it: the blocks and statements are well formed."""
    nginx = _nginx_binary()
    text = NGINX_SITE.read_text(encoding="utf-8")
    if nginx:
        certificate = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        certificate += ["-subj", "/CN=essor.example.org", "-keyout", str(tmp_path / "key.pem")]
        certificate += ["-out", str(tmp_path / "cert.pem")]
        subprocess.run(certificate, capture_output=True, check=True)
        site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp_path}/cert.pem;", text)
        site = re.sub(
            r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp_path}/key.pem;", site
        )
        (tmp_path / "essor.conf").write_text(site, encoding="utf-8")
        temporary = "\n".join(
            f"    {kind}_temp_path {tmp_path}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (tmp_path / "nginx.conf").write_text(
            f"error_log stderr;\npid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
            f"{temporary}\n    access_log off;\n    include {tmp_path}/essor.conf;\n}}\n",
            encoding="utf-8",
        )
        result = subprocess.run(
            [nginx, "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    else:
        code = _nginx_text()
        assert code.count("{") == code.count("}")
        for line in code.splitlines():
            stripped = line.strip()
            assert not stripped or stripped[-1] in ";{}", stripped
