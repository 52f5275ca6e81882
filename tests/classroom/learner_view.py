"""A learner's view through the hub, in headless Chromium (Debian's /usr/bin/chromium):
log in, open a lesson, run its first cells, open a Terminal and run `docker ps -a`.
Screenshots go to the folder given (not in git).

    python tests/classroom/learner_view.py http://127.0.0.1:8000 learner01 PASSWORD /work/shots/i17
"""
from __future__ import annotations

import sys
import time
from pathlib import Path


def main(url: str, user: str, password: str, out: str, notebook: str = "05-run.ipynb") -> list[Path]:
    from playwright.sync_api import sync_playwright

    shots = []
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}/hub/login")
        page.fill("#username_input", user)
        page.fill("#password_input", password)
        shots.append(outdir / f"{user}-1-login.png")
        page.screenshot(path=str(shots[-1]))
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{user}/**", timeout=180_000)
        page.goto(f"{url}/user/{user}/lab/tree/{notebook}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        time.sleep(3)
        cells = page.locator(".jp-Notebook .jp-Cell")
        cells.nth(0).click()
        for _ in range(8):  # the opening cells: imports, connect, the first runs
            page.keyboard.press("Shift+Enter")
            time.sleep(1.5)
        page.wait_for_function("() => !document.querySelector('.jp-Notebook .jp-InputPrompt')"
                               "?.closest('.jp-Notebook')?.textContent.includes('[*]')", timeout=120_000)
        time.sleep(2)
        shots.append(outdir / f"{user}-2-notebook.png")
        page.screenshot(path=str(shots[-1]))
        import re

        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^File$")).first.click()
        page.locator(".lm-Menu-item", has_text=re.compile(r"^New")).first.hover()
        page.locator(".lm-Menu-item[data-command='terminal:create-new']").first.click()
        page.wait_for_selector(".jp-Terminal .xterm", timeout=120_000)
        time.sleep(3)
        page.click(".jp-Terminal .xterm")
        page.keyboard.type("echo $DOCKER_HOST; docker run -d --name mine alpine sleep 600; docker ps -a; "
                           "docker info 2>/dev/null | grep -iE 'cgroup (driver|version)|rootless|10.0.2.2'; "
                           "docker -H unix:///var/run/docker.sock ps; ls -ld /run/user/*\n")
        time.sleep(5)
        shots.append(outdir / f"{user}-3-terminal.png")
        page.screenshot(path=str(shots[-1]))
        browser.close()
    return shots


if __name__ == "__main__":
    for s in main(*sys.argv[1:5]):
        print(s)
