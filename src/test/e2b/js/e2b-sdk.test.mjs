// The E2B JavaScript SDKs, unchanged, against sandbox-pool. Written against E2B's public documentation only
// (e2b.dev/docs). E2bSdkIT runs it with `node --test`, E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY pointing at a
// server in local mode, and SANDBOXPOOL_IMAGE_HAS_MATPLOTLIB saying what the sandbox image has.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox as CoreSandbox, CommandExitError } from 'e2b'
import { Sandbox } from '@e2b/code-interpreter'

const TEMPLATE = 'python'

async function withSandbox(fn) {
  const sbx = await Sandbox.create(TEMPLATE, { timeoutMs: 120_000, envs: { GREETING: 'hello' }, metadata: { suite: 'node' } })
  try {
    await fn(sbx)
  } finally {
    await sbx.kill().catch(() => {})
  }
}

test('create, info, list, connect and timeout', () => withSandbox(async (sbx) => {
  const info = await sbx.getInfo()
  assert.equal(info.sandboxId, sbx.sandboxId)
  assert.deepEqual(info.metadata, { suite: 'node' })
  const listed = await CoreSandbox.list().nextItems()
  assert.ok(listed.some((s) => s.sandboxId === sbx.sandboxId))
  await sbx.setTimeout(90_000)
  const again = await CoreSandbox.connect(sbx.sandboxId)
  assert.equal((await again.commands.run('echo connected')).stdout, 'connected\n')
}))

test('command output streams to callbacks', () => withSandbox(async (sbx) => {
  const out = []
  const err = []
  const result = await sbx.commands.run('echo one; echo two >&2; echo $GREETING', {
    onStdout: (d) => out.push(d),
    onStderr: (d) => err.push(d),
  })
  assert.equal(result.exitCode, 0)
  assert.equal(result.stdout, 'one\nhello\n')
  assert.equal(out.join(''), 'one\nhello\n')
  assert.equal(err.join(''), 'two\n')
}))

test('a failing command rejects with its exit code', () => withSandbox(async (sbx) => {
  await assert.rejects(sbx.commands.run('exit 3'), (e) => e instanceof CommandExitError && e.exitCode === 3)
}))

test('a background command is listed and killed', () => withSandbox(async (sbx) => {
  const handle = await sbx.commands.run('sleep 30', { background: true })
  assert.ok((await sbx.commands.list()).some((p) => p.pid === handle.pid))
  assert.equal(await sbx.commands.kill(handle.pid), true)
  await assert.rejects(handle.wait())
}))

test('a binary file round trip', () => withSandbox(async (sbx) => {
  const data = new Uint8Array(1024).map((_, i) => i % 256)
  await sbx.files.write('/home/user/data.bin', data.buffer)
  const back = await sbx.files.read('/home/user/data.bin', { format: 'bytes' })
  assert.deepEqual(Array.from(back), Array.from(data))
  assert.equal(await sbx.files.exists('/home/user/data.bin'), true)
  assert.ok((await sbx.files.list('/home/user')).some((e) => e.name === 'data.bin'))
}))

test('run_code keeps state, streams stdout and reports errors with a traceback', () => withSandbox(async (sbx) => {
  await sbx.runCode('x = 41')
  const sum = await sbx.runCode('x + 1')
  assert.equal(sum.results[0].text, '42')
  const seen = []
  const failed = await sbx.runCode("print('streamed')\n1/0", { onStdout: (m) => seen.push(m.line) })
  assert.match(seen.join(''), /streamed/)
  assert.equal(failed.error.name, 'ZeroDivisionError')
  assert.match(failed.error.traceback, /ZeroDivisionError/)
}))

test('a matplotlib figure is a PNG where the image has matplotlib', () => withSandbox(async (sbx) => {
  const execution = await sbx.runCode(
    "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()")
  if (process.env.SANDBOXPOOL_IMAGE_HAS_MATPLOTLIB === 'true') {
    assert.equal(execution.error, undefined)
    assert.ok(execution.results.some((r) => r.png))
  } else {
    assert.equal(execution.error.name, 'ModuleNotFoundError')
  }
}))

test('kill ends the sandbox', async () => {
  const sbx = await Sandbox.create(TEMPLATE, { timeoutMs: 60_000 })
  await sbx.kill()
  const listed = await CoreSandbox.list().nextItems()
  assert.ok(!listed.some((s) => s.sandboxId === sbx.sandboxId))
  await assert.rejects(sbx.commands.run('echo still here'))
})
