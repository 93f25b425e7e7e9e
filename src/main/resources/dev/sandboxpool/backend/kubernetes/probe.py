# Readiness probe of a cluster member, run by the kubelet with `python3 -c`: runs the pool's health command and
# passes only when it exits 0 and prints the expected text, so a member is Ready only when Python really runs in it
# (as the local pool's probe checks). argv: the expected text, then the health command.
import subprocess, sys
expect, command = sys.argv[1], sys.argv[2:]
done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.buffer.write(done.stdout[-4096:])
sys.exit(0 if done.returncode == 0 and expect.encode() in done.stdout else 1)
