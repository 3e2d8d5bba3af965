#!/usr/bin/python3
"""A hostile KDC on loopback for the monitor's Pester test.

usage: hostile-kdc.py STATUS_FILE KEYTAB_FILE PRINCIPAL REALM SEED LIMIT ADDRESS[/udp]...

Writes a keytab for PRINCIPAL (an aes256 and an aes128 key), then answers every AS-REQ it receives over UDP and
TCP, on one port of each 127.0.0.x ADDRESS, with generated hostile replies. Before pre-authentication: garbage,
truncated or deeply nested DER, KRB-ERRORs in the wrong realm or with huge e-data, PREAUTH-REQUIRED with hostile
ETYPE-INFO2 (salts, s2kparams of every length, iteration counts 0 to 0xFFFFFFFF), RESPONSE-TOO-BIG (which sends
the probe to TCP, for ten minutes: an ADDRESS marked /udp never sends it, so its probes stay on UDP) and AS-REPs
in the wrong encryption type or with ciphers of impossible lengths. After pre-authentication, besides those, it
answers in the probe's own key, as a KDC that holds it would: valid AS-REPs, and AS-REPs for another nonce, in
another key usage, with hostile plaintext, or with the right nonce and hostile fields; and KRB-ERRORs of the
right realm (PREAUTH-FAILED and others). A UDP request may get a burst of up to five datagrams. The replies
come from random.Random(SEED), so a run replays the same sequence.

A reply counts as delivered when it reached an open socket of the prober: a TCP reply that was written whole,
a datagram that did not bounce (the kernel's port-unreachable for a datagram that came after the probe gave up
is read back with IP_RECVERR). After LIMIT delivered replies it answers nothing more. STATUS_FILE is JSON (port,
replies sent, bounced, delivered, requests, replies by kind), replaced atomically every 100 replies and at the
limit.
"""

import errno
import hashlib
import hmac
import json
import math
import os
import random
import selectors
import socket
import struct
import sys
import time

MAX_UDP = 65507

# A reply bigger than the prober reads (64 KiB) only costs the responder time to build and send.
MAX_REPLY = 70000

IP_RECVERR = 11
MSG_ERRQUEUE = 0x2000


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


def flags(value):
    return tlv(0x03, b"\x00" + value.to_bytes(4, "big"))


def principal(kind, *names):
    return seq(ctx(0, integer(kind)), ctx(1, seq(*[text(n) for n in names])))


# RFC 3961/3962 encryption (aes256- and aes128-cts-hmac-sha1-96), written out so the fixture needs only the
# standard library: AES encryption of one block, n-fold, key derivation, CBC with ciphertext stealing.

def _aes_sbox():
    box = [0] * 256
    p = q = 1
    while True:
        p ^= (p << 1 ^ (0x1B if p & 0x80 else 0)) & 0xFF
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xFF
        if q & 0x80:
            q ^= 0x09
        rotated = q ^ (q << 1 | q >> 7) ^ (q << 2 | q >> 6) ^ (q << 3 | q >> 5) ^ (q << 4 | q >> 4)
        box[p] = (rotated ^ 0x63) & 0xFF
        if p == 1:
            break
    box[0] = 0x63
    return box


SBOX = _aes_sbox()
SHIFT_ROWS = [(i + 4 * (i % 4)) % 16 for i in range(16)]


def xtime(a):
    return (a << 1 ^ 0x1B) & 0xFF if a & 0x80 else a << 1


TIMES_TWO = [xtime(a) for a in range(256)]


class Aes:
    def __init__(self, key):
        words = len(key) // 4
        w = [list(key[4 * i:4 * i + 4]) for i in range(words)]
        rcon = 1
        for i in range(words, 4 * (words + 7)):
            t = list(w[i - 1])
            if i % words == 0:
                t = [SBOX[b] for b in t[1:] + t[:1]]
                t[0] ^= rcon
                rcon = xtime(rcon)
            elif words > 6 and i % words == 4:
                t = [SBOX[b] for b in t]
            w.append([a ^ b for a, b in zip(w[i - words], t)])
        self.round_keys = [sum(w[4 * r:4 * r + 4], []) for r in range(words + 7)]

    def encrypt_block(self, block):
        s = [b ^ k for b, k in zip(block, self.round_keys[0])]
        last = len(self.round_keys) - 1
        for r in range(1, last + 1):
            s = [SBOX[s[j]] for j in SHIFT_ROWS]
            if r != last:
                mixed = []
                for c in range(0, 16, 4):
                    a = s[c:c + 4]
                    t = a[0] ^ a[1] ^ a[2] ^ a[3]
                    mixed += [a[0] ^ t ^ TIMES_TWO[a[0] ^ a[1]], a[1] ^ t ^ TIMES_TWO[a[1] ^ a[2]],
                              a[2] ^ t ^ TIMES_TWO[a[2] ^ a[3]], a[3] ^ t ^ TIMES_TWO[a[3] ^ a[0]]]
                s = mixed
            s = [b ^ k for b, k in zip(s, self.round_keys[r])]
        return bytes(s)


def nfold(data, size):
    """RFC 3961 §5.1: data folded to size bytes, as a 13-bit-rotated repetition summed in ones' complement."""
    total = size * len(data) // math.gcd(size, len(data))
    bits = len(data) * 8
    value = int.from_bytes(data, "big")
    stream = b"".join(
        ((value >> (13 * i % bits) | value << (bits - 13 * i % bits)) & ((1 << bits) - 1)).to_bytes(len(data), "big")
        for i in range(total // len(data)))
    folded, mask = 0, (1 << size * 8) - 1
    for at in range(0, total, size):
        folded += int.from_bytes(stream[at:at + size], "big")
        folded = (folded & mask) + (folded >> size * 8)
    return folded.to_bytes(size, "big")


class KerberosKey:
    def __init__(self, etype, key):
        self.etype, self.key = etype, key
        self._derived = {}

    def _derive(self, constant):
        if constant not in self._derived:
            cipher, block, out = Aes(self.key), nfold(constant, 16), b""
            while len(out) < len(self.key):
                block = cipher.encrypt_block(block)
                out += block
            self._derived[constant] = out[:len(self.key)]
        return self._derived[constant]

    def encrypt(self, usage, plaintext, confounder):
        data = confounder + plaintext
        cipher, previous, blocks = Aes(self._derive(struct.pack(">IB", usage, 0xAA))), bytes(16), []
        padding = -len(data) % 16
        padded = data + bytes(padding)
        for at in range(0, len(padded), 16):
            previous = cipher.encrypt_block(bytes(a ^ b for a, b in zip(padded[at:at + 16], previous)))
            blocks.append(previous)
        if len(blocks) > 1:
            blocks[-2:] = [blocks[-1], blocks[-2][:16 - padding]]
        checksum = hmac.new(self._derive(struct.pack(">IB", usage, 0x55)), data, hashlib.sha1).digest()[:12]
        return b"".join(blocks) + checksum


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


def items(data, start, end):
    """The (start, end) contents of the elements of the SEQUENCE OF whose TLV starts at data[start:end]."""
    outer = read_tlv(data, start)
    found = []
    at, stop = (outer[1], outer[2]) if outer else (end, end)
    while at < stop and (item := read_tlv(data, at)):
        found.append((item[1], item[2]))
        at = item[2]
    return found


def parse_request(data):
    """What a reply needs from an AS-REQ: realm, client name, nonce, encryption types, whether it carries PA-DATA."""
    request = {"realm": b"HOSTILE.TEST", "cname": [b"probe"], "nonce": 0, "etypes": [], "padata": False}
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
    if 1 in parts and (name := read_tlv(data, parts[1][0])):
        name_parts = fields(data, name[1], name[2])
        if 1 in name_parts:
            request["cname"] = [data[s:e] for s, e in items(data, name_parts[1][0], name_parts[1][1])]
    if 2 in parts and (realm := read_tlv(data, parts[2][0])):
        request["realm"] = data[realm[1]:realm[2]]
    if 7 in parts and (nonce := read_tlv(data, parts[7][0])):
        request["nonce"] = int.from_bytes(data[nonce[1]:nonce[2]], "big")
    if 8 in parts:
        request["etypes"] = [int.from_bytes(data[s:e], "big", signed=True) for s, e in items(data, parts[8][0], parts[8][1])]
    return request


class Replies:
    """The generator: each call draws one hostile reply for a request from the seeded random sequence."""

    KINDS_BEFORE_PREAUTH = ["garbage", "truncated", "wrong-realm-error", "preauth-required", "huge-e-data",
                            "response-too-big", "nested", "indefinite", "wrong-message", "as-rep-wrong-etype",
                            "as-rep-bad-cipher"]
    KINDS_AFTER_PREAUTH = ["as-rep-wrong-etype", "as-rep-bad-cipher", "as-rep-wrong-realm", "garbage", "truncated",
                           "wrong-realm-error", "preauth-required", "huge-e-data", "kdc-error",
                           "as-rep-valid", "as-rep-wrong-nonce", "as-rep-wrong-usage", "as-rep-other-key",
                           "as-rep-hostile-plaintext", "as-rep-hostile-fields", "as-rep-hostile-fields"]
    IN_THE_PROBES_KEY = {"as-rep-valid", "as-rep-wrong-nonce", "as-rep-wrong-usage", "as-rep-hostile-plaintext",
                         "as-rep-hostile-fields"}

    def __init__(self, seed, keys):
        self.random = random.Random(seed)
        self.keys = keys

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
        entries, size = [], 0
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
            size += len(entries[-1])
            if size > MAX_REPLY:
                break
        return seq(seq(ctx(1, integer(19)), ctx(2, octets(seq(*entries)))))

    def as_rep(self, request, etype, cipher, realm=None, kvno=None):
        r = self.random
        realm = realm or request["realm"]
        ticket = app(1, seq(ctx(0, integer(5)), ctx(1, text(realm)), ctx(2, principal(2, b"krbtgt", realm)),
                            ctx(3, seq(ctx(0, integer(18)), ctx(1, integer(1)), ctx(2, octets(self.junk(r.randrange(40, 400))))))))
        enc_part = seq(ctx(0, integer(etype)), ctx(1, integer(kvno or r.choice([1, 2, 255]))), ctx(2, octets(cipher)))
        return app(11, seq(ctx(0, integer(5)), ctx(1, integer(11)), ctx(3, text(realm)), ctx(4, principal(1, *request["cname"])),
                           ctx(5, ticket), ctx(6, enc_part)))

    def enc_as_rep_part(self, request, nonce, mutate=False):
        """
        EncASRepPart for the request; mutated, one field of it is hostile (the nonce stays right unless dropped).
        Kept to a few KB: the fixture's AES is pure Python, and the decoder's limits have the unencrypted kinds.
        """
        r = self.random
        now, realm = time.time(), request["realm"]
        fields = {0: seq(ctx(0, integer(18)), ctx(1, octets(self.junk(32)))), 1: seq(seq(ctx(0, integer(0)), ctx(1, when(now)))),
                  2: integer(nonce), 4: flags(0x40E10000), 5: when(now), 6: when(now), 7: when(now + 36000),
                  9: text(realm), 10: principal(2, b"krbtgt", realm)}
        tag = 25
        if mutate:
            field = r.choice([0, 0, 1, 2, 4, 5, 5, 7, 9, 10, "app", "extra"])
            if field == 0:
                fields[0] = seq(ctx(0, integer(r.choice([18, 17, -1, 2**31 - 1, 0]))), ctx(1, octets(self.junk(r.choice([0, 1, 16, 31, 1000])))))
            elif field == 1:
                fields[1] = seq(*[seq(ctx(0, integer(r.randrange(-10, 10))), ctx(1, when(now))) for _ in range(r.choice([0, 60]))])
            elif field == 2:
                del fields[2]
            elif field == 4:
                fields[4] = tlv(0x03, r.choice([b"", b"\x09\x00", b"\x00", b"\x00" + self.junk(64)]))
            elif field in (5, 7):
                fields[field] = r.choice([when(r.choice([0, 946684800, now + 86400 * 365 * 500])),
                                          tlv(0x18, r.choice([b"", b"2026", b"20261303256199Z", b"99991231235959.999999Z", self.junk(15)]))])
            elif field == 9:
                fields[9] = text(self.junk(r.choice([0, 600])).hex())
            elif field == 10:
                fields[10] = principal(r.choice([-1, 2]), *[b"x" * r.choice([0, 60])] * r.choice([0, 1, 40]))
            elif field == "app":
                tag = r.choice([26, 24, 11])
            else:
                fields[30] = octets(self.junk(r.randrange(0, 500)))
        return app(tag, seq(*[ctx(n, content) for n, content in sorted(fields.items())]))

    def in_the_probes_key(self, request, kind, key):
        """An AS-REP in the key the probe pre-authenticated with: what a KDC holding the probe's key could send."""
        r = self.random
        nonce = request["nonce"]
        usage = 3
        if kind == "as-rep-valid":
            plaintext = self.enc_as_rep_part(request, nonce)
        elif kind == "as-rep-wrong-nonce":
            plaintext = self.enc_as_rep_part(request, nonce ^ r.randrange(1, 2**31))
        elif kind == "as-rep-wrong-usage":
            plaintext, usage = self.enc_as_rep_part(request, nonce), r.choice([1, 2, 8, 9, 1024])
        elif kind == "as-rep-hostile-fields":
            plaintext = self.enc_as_rep_part(request, nonce, mutate=True)
        else:
            sane = self.enc_as_rep_part(request, nonce)
            plaintext = r.choice([b"", self.junk(r.randrange(1, 600)), sane[:r.randrange(1, len(sane))],
                                  b"\x79\x80" + b"\x30\x80" * 200 + b"\x00\x00" * 201, sane + self.junk(r.randrange(1, 64))])
        return self.as_rep(request, key.etype, key.encrypt(usage, plaintext, self.junk(16)), kvno=1)

    def next(self, request, udp, may_send_to_tcp):
        """(kind, reply bytes) for one hostile answer to the request."""
        r = self.random
        kind = r.choice(self.KINDS_AFTER_PREAUTH if request["padata"] else self.KINDS_BEFORE_PREAUTH)
        if kind == "response-too-big" and not (udp and may_send_to_tcp):
            kind = "preauth-required"
        key = next((self.keys[etype] for etype in request["etypes"] if etype in self.keys), None)
        if kind in self.IN_THE_PROBES_KEY and key is None:
            kind = "as-rep-bad-cipher"
        if kind in self.IN_THE_PROBES_KEY:
            reply = self.in_the_probes_key(request, kind, key)
        elif kind == "as-rep-other-key":
            other = KerberosKey(key.etype if key else 18, self.junk(len(key.key) if key else 32))
            reply = self.as_rep(request, other.etype, other.encrypt(3, self.enc_as_rep_part(request, request["nonce"]), self.junk(16)), kvno=1)
        elif kind == "garbage":
            reply = self.junk(r.randrange(0, 1400))
        elif kind == "truncated":
            whole = self.error(request, 25, e_data=self.etype_info2()) if r.random() < 0.5 else self.as_rep(request, 18, self.junk(200))
            reply = whole[: r.randrange(1, len(whole))]
        elif kind == "wrong-realm-error":
            reply = self.error(request, r.choice([6, 7, 14, 18, 24, 25, 37, 41, 60, 68]), realm=b"EVIL.TEST",
                               e_text=b"\x1b[2J\x07" + self.junk(r.randrange(0, 300)))
        elif kind == "kdc-error":
            reply = self.error(request, r.choice([6, 14, 18, 24, 24, 29, 37, 41, 60, 68, -1, 2**31 - 1]),
                               e_text=r.choice([None, b"LOOKING_UP_CLIENT", b"\x1b]0;evil\x07" + self.junk(r.randrange(0, 300))]))
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
            reply = self.as_rep(request, r.choice([17, 23, -135, 0, 16, 2**31 - 1]), self.junk(r.choice([0, 28, 44, 200])))
        elif kind == "as-rep-bad-cipher":
            reply = self.as_rep(request, r.choice([18, 17]), self.junk(r.choice([0, 1, 15, 16, 27, 28, 29, 44, 1000, 50000])))
        else:
            reply = self.as_rep(request, r.choice([18, 17]), self.junk(r.choice([28, 200])), realm=b"EVIL.TEST")
        return kind, reply[:MAX_UDP if udp else MAX_REPLY]

    def burst(self):
        return 1 if self.random.random() < 0.5 else self.random.randrange(2, 6)


def write_keytab(path, name, realm, seed):
    """The keytab, and its keys by encryption type."""
    keys = random.Random(seed ^ 0x6B6579)
    components = name.encode().split(b"/")
    entries, found = b"", {}
    for etype, size in ((18, 32), (17, 16)):
        found[etype] = KerberosKey(etype, keys.randbytes(size))
        entry = struct.pack(">H", len(components)) + struct.pack(">H", len(realm)) + realm.encode()
        entry += b"".join(struct.pack(">H", len(c)) + c for c in components)
        entry += struct.pack(">IIBHH", 1, int(time.time()), 1, etype, size) + found[etype].key
        entries += struct.pack(">i", len(entry)) + entry
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(b"\x05\x02" + entries)
    return found


def bind_all(addresses):
    """UDP and TCP sockets on one free port of every address, as (socket, address)."""
    for _ in range(200):
        port = random.SystemRandom().randrange(20000, 60000)
        sockets = []
        try:
            for address in addresses:
                udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append((udp, address))
                udp.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
                udp.bind((address, port))
                tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append((tcp, address))
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind((address, port))
                tcp.listen(64)
            return port, sockets
        except OSError:
            for s, _ in sockets:
                s.close()
    raise SystemExit("no free port on " + ", ".join(addresses))


def main():
    status_path, keytab_path, name, realm, seed, limit = sys.argv[1:7]
    udp_only = {a.removesuffix("/udp") for a in sys.argv[7:] if a.endswith("/udp")}
    addresses = [a.removesuffix("/udp") for a in sys.argv[7:]]
    if not addresses or not all(a.startswith("127.") for a in addresses):
        raise SystemExit("loopback addresses only")
    seed, limit = int(seed), int(limit)
    replies = Replies(seed, write_keytab(keytab_path, name, realm, seed))
    port, sockets = bind_all(addresses)
    sent = {"port": port, "replies": 0, "bounced": 0, "delivered": 0, "udpRequests": 0, "tcpRequests": 0, "done": False, "kinds": {}}

    def publish():
        sent["delivered"] = delivered()
        sent["done"] = sent["done"] or sent["delivered"] >= limit
        temporary = status_path + ".tmp"
        with open(temporary, "w") as f:
            json.dump(sent, f)
        os.replace(temporary, status_path)

    def count(kind):
        sent["replies"] += 1
        sent["kinds"][kind] = sent["kinds"].get(kind, 0) + 1
        if sent["replies"] % 100 == 0:
            publish()

    def delivered():
        return sent["replies"] - sent["bounced"]

    def read_bounces(s):
        # A datagram that reached no socket (the probe had given up) comes back as an ICMP port-unreachable.
        while True:
            try:
                s.recvmsg(1, 1024, MSG_ERRQUEUE)
            except OSError:
                return
            sent["bounced"] += 1

    def send_datagram(s, reply, peer):
        # A pending bounce fails the next send once with ECONNREFUSED; that reply was not sent, so send it again.
        for _ in range(2):
            try:
                s.sendto(reply, peer)
                return True
            except OSError as e:
                if e.errno != errno.ECONNREFUSED:
                    return False
        return False

    publish()
    selector = selectors.DefaultSelector()
    for s, address in sockets:
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ, ("udp" if s.type == socket.SOCK_DGRAM else "listener", address))
    buffers = {}
    while True:
        for key, _ in selector.select():
            s = key.fileobj
            role, address = key.data
            may_send_to_tcp = address not in udp_only
            if role == "udp":
                read_bounces(s)
                try:
                    data, peer = s.recvfrom(MAX_UDP)
                except OSError:
                    continue
                sent["udpRequests"] += 1
                request = parse_request(data)
                for _ in range(replies.burst()):
                    if sent["done"]:
                        break
                    kind, reply = replies.next(request, True, may_send_to_tcp)
                    if send_datagram(s, reply, peer):
                        count(kind)
                read_bounces(s)
                if delivered() >= limit and not sent["done"]:
                    publish()
            elif role == "listener":
                try:
                    connection, _ = s.accept()
                except OSError:
                    continue
                connection.setblocking(False)
                buffers[connection] = b""
                selector.register(connection, selectors.EVENT_READ, ("tcp", address))
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
                if framed and not sent["done"]:
                    sent["tcpRequests"] += 1
                    kind, reply = replies.next(parse_request(data[4:]), False, may_send_to_tcp)
                    lie = replies.random.random()
                    prefix = struct.pack(">I", 0x7FFFFFFF if lie < 0.05 else len(reply) + 1000 if lie < 0.1 else len(reply))
                    try:
                        s.setblocking(True)
                        s.settimeout(0.5)
                        s.sendall(prefix + reply)
                        count(kind)
                    except OSError:
                        pass
                    if delivered() >= limit:
                        publish()
                s.close()


if __name__ == "__main__":
    main()
