#!/usr/bin/python3
"""A hostile KDC on loopback for the monitor's Pester test.

usage: hostile-kdc.py STATUS_FILE KEYTAB_FILE PRINCIPAL REALM SEED LIMIT ADDRESS...

Writes a keytab for PRINCIPAL (aes256 and aes128 keys no reply will ever match), then answers every AS-REQ it
receives over UDP and TCP, on one port of each 127.0.0.x ADDRESS, with generated hostile replies: garbage,
truncated or deeply nested DER, KRB-ERRORs in the wrong realm or with huge e-data, PREAUTH-REQUIRED with hostile
ETYPE-INFO2 (salts, s2kparams of every length, iteration counts 0 to 0xFFFFFFFF), RESPONSE-TOO-BIG (which sends
the probe to TCP) and AS-REPs in the wrong encryption type or with ciphers of impossible lengths. A UDP request
may get a burst of up to eight datagrams. The replies come from random.Random(SEED), so a run replays the same
sequence. After LIMIT replies it answers nothing more. STATUS_FILE is JSON (port, replies sent, by kind),
replaced atomically every 100 replies and at the limit.
"""

import json
import os
import random
import selectors
import socket
import struct
import sys
import time

MAX_UDP = 65507


def length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, content):
    return bytes([tag]) + length(len(content)) + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def ctx(n, content):
    return tlv(0xA0 + n, content)


def app(n, content):
    return tlv(0x60 + n, content)


def integer(v):
    return tlv(0x02, v.to_bytes(max(1, (v + (v < 0)).bit_length() // 8 + 1), "big", signed=True))


def octets(b):
    return tlv(0x04, b)


def text(s):
    return tlv(0x1B, s if isinstance(s, bytes) else s.encode())


def when(t):
    return tlv(0x18, time.strftime("%Y%m%d%H%M%SZ", time.gmtime(t)).encode())


def principal(kind, *names):
    return seq(ctx(0, integer(kind)), ctx(1, seq(*[text(n) for n in names])))


def read_tlv(data, at):
    """(tag, content start, content end) of the TLV at data[at:], or None when it is not one."""
    if at + 2 > len(data):
        return None
    tag, first = data[at], data[at + 1]
    at += 2
    if first & 0x80:
        count = first & 0x7F
        if count == 0 or count > 4 or at + count > len(data):
            return None
        size = int.from_bytes(data[at:at + count], "big")
        at += count
    else:
        size = first
    if at + size > len(data):
        return None
    return tag, at, at + size


def fields(data, start, end):
    """The context-tagged fields [n] of the SEQUENCE content data[start:end], as n -> (start, end)."""
    found = {}
    while start < end:
        item = read_tlv(data, start)
        if item is None:
            break
        tag, inner, start = item
        if tag & 0xE0 == 0xA0:
            found[tag & 0x1F] = (inner, start)
    return found


def parse_request(data):
    """What a reply needs from an AS-REQ: realm, client name, nonce, whether it carries PA-DATA. Best effort."""
    request = {"realm": b"HOSTILE.TEST", "cname": [b"probe"], "nonce": 0, "padata": False}
    outer = read_tlv(data, 0)
    if outer is None or outer[0] != 0x6A:
        return request
    body = read_tlv(data, outer[1])
    if body is None:
        return request
    top = fields(data, body[1], body[2])
    request["padata"] = 3 in top
    if 4 not in top:
        return request
    req_body = read_tlv(data, top[4][0])
    if req_body is None:
        return request
    parts = fields(data, req_body[1], req_body[2])
    if 2 in parts and (realm := read_tlv(data, parts[2][0])):
        request["realm"] = data[realm[1]:realm[2]]
    if 7 in parts and (nonce := read_tlv(data, parts[7][0])):
        request["nonce"] = int.from_bytes(data[nonce[1]:nonce[2]], "big")
    return request


class Replies:
    """The generator: each call draws one hostile reply for a request from the seeded random sequence."""

    KINDS_BEFORE_PREAUTH = ["garbage", "truncated", "wrong-realm-error", "preauth-required", "huge-e-data",
                            "response-too-big", "nested", "indefinite", "wrong-message", "as-rep-wrong-etype",
                            "as-rep-bad-cipher"]
    KINDS_AFTER_PREAUTH = ["as-rep-wrong-etype", "as-rep-bad-cipher", "as-rep-wrong-realm", "garbage", "truncated",
                           "wrong-realm-error", "preauth-required", "huge-e-data"]

    def __init__(self, seed):
        self.random = random.Random(seed)

    def junk(self, size):
        return self.random.randbytes(size)

    def error(self, request, code, realm=None, e_data=None, e_text=None):
        now = time.time()
        items = [ctx(0, integer(5)), ctx(1, integer(30)), ctx(4, when(now)), ctx(5, integer(self.random.randrange(1000000))),
                 ctx(6, integer(code)), ctx(7, text(realm or request["realm"])), ctx(8, principal(1, *request["cname"])),
                 ctx(9, text(realm or request["realm"])), ctx(10, principal(2, b"krbtgt", realm or request["realm"]))]
        if e_text is not None:
            items.append(ctx(11, text(e_text)))
        if e_data is not None:
            items.append(ctx(12, octets(e_data)))
        return app(30, seq(*items))

    def etype_info2(self):
        r = self.random
        entries = []
        for _ in range(r.choice([1, 1, 2, 3, 50, 2000])):
            entry = [ctx(0, integer(r.choice([18, 17, 18, 23, -135, 0, 2**31 - 1])))]
            if r.random() < 0.8:
                entry.append(ctx(1, text(self.junk(r.choice([0, 5, 20, 200, 20000])).hex()[: r.choice([0, 5, 20, 200, 20000])])))
            if r.random() < 0.7:
                if r.random() < 0.5:
                    params = r.choice([0, 1, 4096, 0x100000, 0x100001, 0xFFFFFFFF]).to_bytes(4, "big")
                else:
                    params = self.junk(r.randrange(17))
                entry.append(ctx(2, octets(params)))
            entries.append(seq(*entry))
        return seq(seq(ctx(1, integer(19)), ctx(2, octets(seq(*entries)))))

    def as_rep(self, request, etype, cipher_length, realm=None):
        r = self.random
        realm = realm or request["realm"]
        ticket = app(1, seq(ctx(0, integer(5)), ctx(1, text(realm)), ctx(2, principal(2, b"krbtgt", realm)),
                            ctx(3, seq(ctx(0, integer(18)), ctx(1, integer(1)), ctx(2, octets(self.junk(r.randrange(40, 400))))))))
        enc_part = seq(ctx(0, integer(etype)), ctx(1, integer(r.choice([1, 2, 255]))), ctx(2, octets(self.junk(cipher_length))))
        return app(11, seq(ctx(0, integer(5)), ctx(1, integer(11)), ctx(3, text(realm)), ctx(4, principal(1, *request["cname"])),
                           ctx(5, ticket), ctx(6, enc_part)))

    def next(self, request, udp):
        """(kind, reply bytes) for one hostile answer to the request."""
        r = self.random
        kind = r.choice(self.KINDS_AFTER_PREAUTH if request["padata"] else self.KINDS_BEFORE_PREAUTH)
        if kind == "response-too-big" and not udp:
            kind = "preauth-required"
        if kind == "garbage":
            reply = self.junk(r.randrange(0, 1400))
        elif kind == "truncated":
            whole = self.error(request, 25, e_data=self.etype_info2()) if r.random() < 0.5 else self.as_rep(request, 18, 200)
            reply = whole[: r.randrange(1, len(whole))]
        elif kind == "wrong-realm-error":
            reply = self.error(request, r.choice([6, 7, 14, 18, 24, 25, 37, 41, 60, 68]), realm=b"EVIL.TEST",
                               e_text=b"\x1b[2J\x07" + self.junk(r.randrange(0, 300)))
        elif kind == "preauth-required":
            reply = self.error(request, 25, e_data=self.etype_info2())
        elif kind == "huge-e-data":
            reply = self.error(request, r.choice([25, 60, 24]), e_data=self.junk(r.choice([30000, 60000])))
        elif kind == "response-too-big":
            reply = self.error(request, 52)
        elif kind == "nested":
            depth = r.choice([100, 2000, 15000])
            reply = b"\x6b\x80" + b"\x30\x80" * depth + b"\x00\x00" * (depth + 1)
        elif kind == "indefinite":
            reply = b"\x7e\x80" + self.junk(r.randrange(0, 200))
        elif kind == "wrong-message":
            reply = app(r.choice([13, 12, 14, 20]), seq(ctx(0, integer(r.choice([4, 5, 6]))), ctx(1, integer(r.choice([13, 12, 99])))))
        elif kind == "as-rep-wrong-etype":
            reply = self.as_rep(request, r.choice([17, 23, -135, 0, 16, 2**31 - 1]), r.choice([0, 28, 44, 200]))
        elif kind == "as-rep-bad-cipher":
            reply = self.as_rep(request, r.choice([18, 17]), r.choice([0, 1, 15, 16, 27, 28, 29, 44, 1000, 50000]))
        else:
            reply = self.as_rep(request, r.choice([18, 17]), r.choice([28, 200]), realm=b"EVIL.TEST")
        if udp and len(reply) > MAX_UDP:
            reply = reply[:MAX_UDP]
        return kind, reply

    def burst(self):
        return 1 if self.random.random() < 0.5 else self.random.randrange(2, 9)


def write_keytab(path, name, realm, seed):
    keys = random.Random(seed ^ 0x6B6579)
    components = name.encode().split(b"/")
    entries = b""
    for etype, size in ((18, 32), (17, 16)):
        entry = struct.pack(">H", len(components)) + struct.pack(">H", len(realm)) + realm.encode()
        entry += b"".join(struct.pack(">H", len(c)) + c for c in components)
        entry += struct.pack(">IIBHH", 1, int(time.time()), 1, etype, size) + keys.randbytes(size)
        entries += struct.pack(">i", len(entry)) + entry
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(b"\x05\x02" + entries)


def bind_all(addresses):
    """UDP and TCP sockets on one free port of every address."""
    for _ in range(200):
        port = random.SystemRandom().randrange(20000, 60000)
        sockets = []
        try:
            for address in addresses:
                udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(udp)
                udp.bind((address, port))
                tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append(tcp)
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind((address, port))
                tcp.listen(64)
            return port, sockets
        except OSError:
            for s in sockets:
                s.close()
    raise SystemExit("no free port on " + ", ".join(addresses))


def main():
    status_path, keytab_path, name, realm, seed, limit = sys.argv[1:7]
    addresses = sys.argv[7:]
    if not addresses or not all(a.startswith("127.") for a in addresses):
        raise SystemExit("loopback addresses only")
    seed, limit = int(seed), int(limit)
    write_keytab(keytab_path, name, realm, seed)
    replies = Replies(seed)
    port, sockets = bind_all(addresses)
    sent = {"port": port, "replies": 0, "udpRequests": 0, "tcpRequests": 0, "kinds": {}}

    def publish():
        temporary = status_path + ".tmp"
        with open(temporary, "w") as f:
            json.dump(sent, f)
        os.replace(temporary, status_path)

    def count(kind):
        sent["replies"] += 1
        sent["kinds"][kind] = sent["kinds"].get(kind, 0) + 1
        if sent["replies"] % 100 == 0 or sent["replies"] == limit:
            publish()

    publish()
    selector = selectors.DefaultSelector()
    for s in sockets:
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ, "udp" if s.type == socket.SOCK_DGRAM else "listener")
    buffers = {}
    while True:
        for key, _ in selector.select():
            s = key.fileobj
            if key.data == "udp":
                try:
                    data, peer = s.recvfrom(MAX_UDP)
                except OSError:
                    continue
                sent["udpRequests"] += 1
                request = parse_request(data)
                for _ in range(replies.burst()):
                    if sent["replies"] >= limit:
                        break
                    kind, reply = replies.next(request, udp=True)
                    try:
                        s.sendto(reply, peer)
                    except OSError:
                        continue
                    count(kind)
            elif key.data == "listener":
                try:
                    connection, _ = s.accept()
                except OSError:
                    continue
                connection.setblocking(False)
                buffers[connection] = b""
                selector.register(connection, selectors.EVENT_READ, "tcp")
            else:
                try:
                    chunk = s.recv(65536)
                except OSError:
                    chunk = b""
                buffers[s] += chunk
                data = buffers[s]
                framed = len(data) >= 4 and len(data) >= 4 + min(struct.unpack(">I", data[:4])[0], 65536)
                if chunk and not framed:
                    continue
                selector.unregister(s)
                del buffers[s]
                if framed and sent["replies"] < limit:
                    sent["tcpRequests"] += 1
                    kind, reply = replies.next(parse_request(data[4:]), udp=False)
                    lie = replies.random.random()
                    prefix = struct.pack(">I", 0x7FFFFFFF if lie < 0.05 else len(reply) + 1000 if lie < 0.1 else len(reply))
                    try:
                        s.setblocking(True)
                        s.settimeout(2)
                        s.sendall(prefix + reply)
                        count(kind)
                    except OSError:
                        pass
                s.close()


if __name__ == "__main__":
    main()
