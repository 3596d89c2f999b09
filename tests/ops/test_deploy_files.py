"""The shipped deployment files: docker-compose.yml, Dockerfile, Procfile, systemd units, nginx.

Docker cannot run here, so the compose file is checked for what would break it:
its syntax, the services of docs/deployment.md, the files and volumes it names,
and that every command is one `dateline` has. nginx's own parser checks the
proxy configuration.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def dateline_command(argv: list[str]) -> str:
    """The management command an argv runs (`dateline serve …` -> serve)."""
    assert Path(argv[0]).name == "dateline", f"{argv} does not run dateline"
    name = argv[1].replace("-", "_")
    assert name in get_commands(), f"dateline has no {argv[1]!r} command"
    return name


def test_compose_file_describes_the_documented_topology():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "scheduler", "nginx", "migrate"} <= set(services)
    for name in ("web", "worker", "scheduler", "migrate"):
        service = services[name]
        assert service["build"] == "." and service["env_file"] == ".env"
        assert service["environment"]["DATELINE_ENV"] == "production"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        dateline_command(service["command"])
    assert services["worker"]["deploy"]["replicas"] >= 2
    declared = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{source} is missing"
            else:
                assert source in declared, f"volume {source} is not declared"
    assert (ROOT / "Dockerfile").exists()
    example = (DEPLOY / "env.example").read_text()
    for variable in ("SECRET_KEY", "BASE_URL", "EMAIL_URL", "POSTGRES_PASSWORD"):
        assert f"{variable}=" in example


def test_procfile_runs_existing_commands():
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        _, command = line.split(":", 1)
        dateline_command(shlex.split(command))


@pytest.mark.parametrize("unit", sorted((DEPLOY / "systemd").glob("*.service")), ids=str)
def test_systemd_units_run_existing_commands(unit: Path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit)
    service = parser["Service"]
    assert service["User"] == "dateline"
    for key in ("ExecStart", "ExecStartPre"):
        if key in service:
            dateline_command(shlex.split(service[key]))
    if service.get("Type") != "oneshot":
        assert service["Restart"] == "on-failure"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_proxy_configuration_passes_nginx_own_check(tmp_path: Path):
    template = (ROOT / "bench" / "nginx" / "dateline-proxy.conf.template").read_text()
    site = (
        template.replace("@LISTEN@", "127.0.0.1:18080")
        .replace("@SERVER_NAME@", "news.example.org")
        .replace("@UPSTREAM@", "127.0.0.1:18000")
        .replace("@CACHE_DIR@", str(tmp_path / "cache"))
        .replace("@STATIC_ROOT@", str(tmp_path / "static"))
        .replace("@MEDIA_ROOT@", str(tmp_path / "media"))
    )
    assert "@" not in "".join(line for line in site.splitlines() if not line.startswith("#"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"""
        pid {tmp_path}/nginx.pid;
        error_log {tmp_path}/error.log;
        events {{}}
        http {{
            access_log off;
            client_body_temp_path {tmp_path}/body;
            proxy_temp_path {tmp_path}/proxy;
            fastcgi_temp_path {tmp_path}/fastcgi;
            uwsgi_temp_path {tmp_path}/uwsgi;
            scgi_temp_path {tmp_path}/scgi;
            include {tmp_path}/site.conf;
        }}
        """
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr


def test_compose_nginx_config_is_the_rendered_template():
    rendered = (DEPLOY / "nginx" / "compose.conf").read_text()
    template = (ROOT / "bench" / "nginx" / "dateline-proxy.conf.template").read_text()
    expected = (
        template.replace("@LISTEN@", "80")
        .replace("@SERVER_NAME@", "_")
        .replace("@UPSTREAM@", "web:8000")
        .replace("@CACHE_DIR@", "/var/cache/nginx/dateline")
        .replace("@STATIC_ROOT@", "/var/lib/dateline/static")
        .replace("@MEDIA_ROOT@", "/var/lib/dateline/media")
    )
    assert rendered.endswith(expected), "re-render deploy/nginx/compose.conf from the template"


def test_compose_trusts_nginx_to_name_the_reader():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["services"]["web"]["environment"]
    assert "172.16.0.0/12" in environment["TRUSTED_PROXIES"].split(",")
    assert "ports" not in compose["services"]["web"]
    nginx = (DEPLOY / "nginx" / "compose.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx


def test_nginx_gives_files_the_security_headers():
    nginx = (ROOT / "bench" / "nginx" / "dateline-proxy.conf.template").read_text()
    static = nginx.split("location /static/ {", 1)[1].split("}", 1)[0]
    media = nginx.split("location /media/ {", 1)[1].split("}", 1)[0]
    assert "add_header X-Content-Type-Options nosniff always;" in static
    assert "add_header X-Content-Type-Options nosniff always;" in media
    assert "sandbox" in media and "Content-Security-Policy" in media
