#!/usr/bin/env python3
"""ARP prober for the node tier: broadcasts a who-has for one IPv4 address every INTERVAL
seconds on IFACE and prints one JSON line per reply: {"t": unix seconds, "mac": sender MAC}.
Runs in its own network namespace on the test bridge; stdlib only (AF_PACKET)."""
import json, select, socket, struct, sys, time

iface, target, interval = sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.025
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((iface, 0))
mac = s.getsockname()[4]
src_ip = socket.inet_aton(sys.argv[4]) if len(sys.argv) > 4 else b'\0\0\0\0'
dst_ip = socket.inet_aton(target)
request = (b'\xff' * 6 + mac + b'\x08\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1)
           + mac + src_ip + b'\0' * 6 + dst_ip)
print(json.dumps({"ready": True}), flush=True)
next_send = 0.0
while True:
    now = time.time()
    if now >= next_send:
        s.send(request)
        next_send = now + interval
    r, _, _ = select.select([s], [], [], max(0.0, next_send - time.time()))
    if not r:
        continue
    frame = s.recv(128)
    if len(frame) < 42:
        continue
    op = struct.unpack('!H', frame[20:22])[0]
    if op == 2 and frame[28:32] == dst_ip:
        print(json.dumps({"t": time.time(), "mac": frame[22:28].hex(':')}), flush=True)
