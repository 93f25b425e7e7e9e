# Readiness probe of a cluster member, run by the kubelet with `sandboxpool-python3 -I -c`: runs the pool's health
# command and passes only when it exits 0 and prints the expected text, so a member is Ready only when Python really
# runs in it (as the local pool's probe checks). argv: the expected text, then the health command.
import os, subprocess, sys
expect, command = sys.argv[1], sys.argv[2:]
# in "/" with HOME there too, as the local pool's probes: nothing a lease left in the work dir (modules, a user site)
# runs in the health command
env = dict(os.environ, HOME="/")
# A clean-up spares this probe (its first line tells it, see runner.py) but kills what it started: a health command
# killed that way is run once more instead of failing a healthy member.
for attempt in (1, 2):
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd="/",
                          env=env)
    if done.returncode != -9:
        break
sys.stdout.buffer.write(done.stdout[-4096:])
sys.exit(0 if done.returncode == 0 and expect.encode() in done.stdout else 1)
