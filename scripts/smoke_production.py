"""Smoke test of a running production server, as a user would see it (CI runs it, see .ci/run).

Chromium logs in through the login page, opens the first document of the inbox and downloads
its PDF. While the page says the PDF is being made ("đang tạo bản PDF…"), it reloads until the
PDF is offered, for at most --pdf-timeout seconds. Every failure exits non-zero with the reason;
so does any static asset the pages ask for that the server does not deliver.

    python scripts/smoke_production.py --base-url http://127.0.0.1:8000 --username tramyte
"""
import argparse
import os
import re
import sys
import time

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
PDF_PENDING = re.compile(r"đang tạo bản PDF", re.IGNORECASE)


class SmokeFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise SmokeFailure(message)


def smoke(page, base, username, password, pdf_timeout):
    broken_assets = []
    page.on("response", lambda r: r.status >= 400 and "/static/" in r.url and broken_assets.append(f"{r.status} {r.url}"))

    response = page.goto(f"{base}/accounts/login/")
    check(response is not None and response.status == 200, f"login page answered {response and response.status}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    check("/accounts/login/" not in page.url, f"login as {username} failed: still on {page.url}: {page.inner_text('body')[:300]}")
    print(f"logged in as {username}: {page.url}")

    page.goto(f"{base}/van-ban/")
    links = page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    # Inbox rows link to the user's next step (/van-ban/<id>/sua/ for a draft); the document page is /van-ban/<id>/.
    documents = [match.group(0) for href in links if (match := re.match(r"/van-ban/\d+/", href or ""))]
    check(documents, f"{username} sees no document in the inbox ({page.url})")
    document_url = base + documents[0]
    page.goto(document_url)
    check(page.locator("h1").count() > 0, f"document page {document_url} shows no title")
    print(f"opened {document_url}: {page.locator('h1').first.inner_text()[:80]}")

    deadline = time.monotonic() + pdf_timeout
    while True:
        link = page.locator("a[href*='/tai-ve/pdf/']")
        if link.count():
            pdf = page.request.get(base + link.first.get_attribute("href"), timeout=pdf_timeout * 1000)
            if pdf.ok and pdf.headers.get("content-type", "").startswith("application/pdf"):
                body = pdf.body()
                check(body.startswith(b"%PDF-") and len(body) > 1000, f"the PDF download is not a PDF ({len(body)} bytes)")
                print(f"downloaded the PDF: {len(body)} bytes")
                break
            pending = PDF_PENDING.search(pdf.text()) if pdf.ok else None
            check(pending, f"PDF link answered {pdf.status} {pdf.headers.get('content-type')}: {pdf.text()[:300]}")
        else:
            check(PDF_PENDING.search(page.inner_text("body")), f"document page {document_url} offers no PDF and is not making one")
        check(time.monotonic() < deadline, f"no PDF after {pdf_timeout} s")
        time.sleep(3)
        page.reload()

    check(not broken_assets, "static assets not delivered: " + ", ".join(broken_assets[:10]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="tramyte")
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "demo2026"))
    parser.add_argument("--pdf-timeout", type=int, default=120)
    args = parser.parse_args()

    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        try:
            smoke(page, args.base_url.rstrip("/"), args.username, args.password, args.pdf_timeout)
        except (SmokeFailure, PlaywrightError) as exc:
            print(f"SMOKE FAILED: {exc}", file=sys.stderr)
            return 1
        finally:
            browser.close()
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
