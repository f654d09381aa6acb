#!/usr/bin/env python3
"""slow_reader.py OUT: copies stdin to OUT, slowly (16 KiB every 2 ms), so
that a tap writing into the pipe is still mid-stream when a test's fault or
signal comes. Ends at EOF."""
import os
import sys
import time

out = open(sys.argv[1], "wb")
while True:
    b = os.read(0, 16384)
    if not b:
        break
    out.write(b)
    out.flush()
    time.sleep(0.002)
