# What lease B finds of lease A's requests in its own memory: every writable page of this process, which starts as a
# copy of whatever forked it. The needle is never whole in this process: only a hit left by someone else is.
import ctypes, re
prefix, tail = b'TOPSECRET-OF-', bytes([76, 69, 65, 83, 69, 45, 65])
hits = 0
for line in open('/proc/self/maps').read().splitlines():
    m = re.match(r'([0-9a-f]+)-([0-9a-f]+) rw', line)
    if m:
        data = ctypes.string_at(int(m.group(1), 16), int(m.group(2), 16) - int(m.group(1), 16))
        i = data.find(prefix)
        while i >= 0:
            hits += data[i + 13:i + 20] == tail
            i = data.find(prefix, i + 1)
print('hits', hits)
