"""Baseline for bench/align.ts: ROS 1's Python ApproximateTimeSynchronizer (Debian
python3-message-filters) on the same stamps, in the same run.

stdin: one line per message, "<topic> <stamp_ns>", in arrival order. argv: queue_size slop_s.
stdout: one JSON line {"msgs": n, "sets": n, "seconds": s} (feeding time only).
Run with /usr/bin/python3 (the Debian interpreter that has rospy), not a pyenv shim.
"""
import json
import sys
import time

import message_filters
import rospy

# ApproximateTimeSynchronizer.add() calls rospy.Time.now(); without a node, say time is up.
rospy.rostime.set_rostime_initialized(True)


class Header:
    __slots__ = ("stamp",)


class Msg:
    __slots__ = ("header",)

    def __init__(self, stamp):
        self.header = Header()
        self.header.stamp = stamp


def main():
    queue_size = int(sys.argv[1])
    slop = float(sys.argv[2])
    inputs = []
    topics = set()
    for line in sys.stdin:
        topic, ns = line.split()
        topic = int(topic)
        topics.add(topic)
        ns = int(ns)
        inputs.append((topic, Msg(rospy.Time(ns // 1_000_000_000, ns % 1_000_000_000))))
    filters = [message_filters.SimpleFilter() for _ in sorted(topics)]
    sync = message_filters.ApproximateTimeSynchronizer(filters, queue_size, slop)
    sets = [0]

    def on_set(*_msgs):
        sets[0] += 1

    sync.registerCallback(on_set)
    start = time.perf_counter()
    for topic, msg in inputs:
        filters[topic].signalMessage(msg)
    seconds = time.perf_counter() - start
    print(json.dumps({"msgs": len(inputs), "sets": sets[0], "seconds": seconds}))


if __name__ == "__main__":
    main()
