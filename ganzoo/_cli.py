"""What the absl command lines (run, evaluate, export) share: one-line errors with exit 2."""

import sys

from absl import flags, logging


def fail(prog, message):
    """``prog: error: message`` on stderr, exit status 2."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse_flags(prog, argv):
    """absl's parsing with its errors as one line (exit 2); libraries' INFO logs off unless
    --verbosity is given."""
    try:
        remaining = flags.FLAGS(argv)
    except flags.Error as error:
        fail(prog, str(error).replace("\n", " "))
    if not flags.FLAGS["verbosity"].present:
        logging.set_verbosity(logging.WARNING)
    return remaining
