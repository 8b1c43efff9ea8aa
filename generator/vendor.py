"""`make tools`: the two front-end pieces the site ships (and axe-core for the tests), fetched straight
from the npm registry, so no npm or Node is needed on the machine: the
partial plotly.js bundle (bar/pie/scatter, about 1 MB instead of 4.6 MB) and
the Pagefind 1.6 binary (ICU4X Chinese segmentation, see search.py).

Each tarball is checked against the sha512 the registry published for it
before the one file we use is extracted. Standard library only (plus pip's
certificate bundle where the system has none).

    python3 -m generator.vendor plotly pagefind axe
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import ssl
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

PACKAGES = {
    "plotly": dict(
        package="plotly.js-basic-dist-min", version="3.7.0",
        integrity="sha512-84KPQhLTrO5IHu6DCte2KwA4bzSoVIdIs3uDPWid3sgeTX8L5RjpDARjCG3spgOwQ8MYE8PL+MeQ0DQRWA1Emw==",
        member="package/plotly-basic.min.js", target="generator/static/vendor/plotly-basic.min.js", mode=0o644),
    "pagefind": dict(
        package="@pagefind/linux-x64", version="1.6.0",
        integrity="sha512-IbMSx/+Vr/Xk0TTBlLkjgK+rvnbOXGmmb2/MKxQu99AR5DsqQoV3NKEA9PQz2tAhuCZjeD5xJBp4w5N5DHIC7Q==",
        member="package/bin/pagefind_extended", target=".tools/pagefind/pagefind_extended", mode=0o755),
    # for the tests only (accessibility checks in the browser suite); never shipped with the site
    "axe": dict(
        package="axe-core", version="4.14.1",
        integrity="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        member="package/axe.min.js", target=".tools/axe/axe.min.js", mode=0o644),
}


def tarball_url(package: str, version: str) -> str:
    registry = os.environ.get("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org/").rstrip("/")
    return f"{registry}/{package}/-/{package.split('/')[-1]}-{version}.tgz"


def _open(url: str):
    """urlopen; where the system has no CA certificates (a bare Debian without
    ca-certificates), pip's own certificate bundle is used instead."""
    try:
        return urllib.request.urlopen(url, timeout=300)
    except urllib.error.URLError as exc:
        if not isinstance(exc.reason, ssl.SSLCertVerificationError):
            raise
        try:
            from pip._vendor import certifi
        except ImportError:
            raise exc from None
        return urllib.request.urlopen(url, timeout=300, context=ssl.create_default_context(cafile=certifi.where()))


def fetch(name: str) -> Path:
    p: dict = PACKAGES[name]
    url = tarball_url(p["package"], p["version"])
    with _open(url) as response:
        data = response.read()
    algorithm, _, expected = p["integrity"].partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise ValueError(f"{url} 的校验值不符（{algorithm} {actual}）")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile(p["member"])
        if member is None:
            raise ValueError(f"{url} 中没有 {p['member']}")
        content = member.read()
    target = PROJECT / p["target"]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(content)
    tmp.chmod(p["mode"])
    os.replace(tmp, target)
    return target


def main(argv: list[str]) -> int:
    failed = 0
    for name in argv or list(PACKAGES):
        p = PACKAGES[name]
        try:
            target = fetch(name)
            print(f"已下载 {p['package']}@{p['version']} → {target.relative_to(PROJECT)}")
        except (OSError, ValueError, KeyError, tarfile.TarError) as exc:
            print(f"无法从 npm 仓库下载 {p['package']}@{p['version']}：{exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
