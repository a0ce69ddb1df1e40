"""Run localstripe (a Stripe-compatible test server) on the loopback only.

localstripe's own CLI binds every interface; the demo and the tests must not
expose a payment server to the village network. Usage:

    python -m market.payments.local_gateway --port 8420
"""

from __future__ import annotations

import argparse
import logging


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()

    from aiohttp import web
    from localstripe.resources import Store
    from localstripe.server import app

    # localstripe pickles its whole store to /tmp/localstripe.pickle on every
    # write, shared by every instance on the machine (tests, demo). Ours start
    # empty and keep their state in memory only.
    Store.dump_to_disk = lambda self: None

    logging.basicConfig(level=logging.WARNING)
    print(
        f"Cổng thanh toán thử (localstripe) chạy tại http://{args.host}:{args.port}",
        flush=True,
    )
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
