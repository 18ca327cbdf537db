#!/usr/bin/python3
"""An independent consumer: Eclipse Paho (Debian python3-paho-mqtt) subscribes to a Sensorium
device, and python-jsonschema (python3-jsonschema) validates every payload against the JSON Schemas
in deploy/schema/. Prints "ready" once subscribed, then one JSON summary line.

usage: validate_payloads.py HOST PORT TOPIC_PREFIX SCHEMA_DIR MIN_RESULTS TIMEOUT_S
"""
import json
import sys
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from jsonschema import Draft202012Validator

host, port, prefix, schema_dir, min_results, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
validators = {kind: Draft202012Validator(json.loads((schema_dir / f"{kind}.v1.schema.json").read_text())) for kind in ("result", "status", "health", "event")}
counts = {k: 0 for k in validators}
errors = []
seqs = []


def kind_of(topic):
    last = topic.rsplit("/", 1)[-1]
    return last if last in validators else None


def on_connect(client, userdata, flags, rc):
    client.subscribe(prefix + "/#", qos=1)


def on_subscribe(client, userdata, mid, granted_qos):
    print("ready", flush=True)


def on_message(client, userdata, msg):
    kind = kind_of(msg.topic)
    if kind is None:
        return
    try:
        payload = json.loads(msg.payload.decode("utf-8"))
    except Exception as e:  # noqa: BLE001
        errors.append(f"{msg.topic}: not JSON: {e}")
        return
    for err in validators[kind].iter_errors(payload):
        errors.append(f"{msg.topic}: {err.message} at {list(err.absolute_path)}")
    counts[kind] += 1
    if kind == "result":
        seqs.append(payload.get("seq"))


client = mqtt.Client(client_id="paho-validator", protocol=mqtt.MQTTv311)
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect(host, port)
client.loop_start()
end = time.time() + timeout
while time.time() < end and counts["result"] < min_results:
    time.sleep(0.05)
time.sleep(0.3)
client.loop_stop()
print(json.dumps({"counts": counts, "errors": errors[:20], "seqs": seqs}), flush=True)
