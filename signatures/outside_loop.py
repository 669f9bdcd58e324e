"""Run pyHanko's synchronous calls where they can work.

pyHanko's synchronous API (`PdfSigner.sign_pdf`, `validate_pdf_signature`) wraps its async core in
`asyncio.run()`, which refuses to start in a thread whose event loop is already running: under an
ASGI server, or beside Playwright's sync API, which keeps its loop marked as running in the thread
that started it. There the call goes to a short-lived worker thread; everywhere else it runs here.
"""
import asyncio
from concurrent.futures import ThreadPoolExecutor


def call(fn, *args, **kwargs):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(fn, *args, **kwargs).result()
