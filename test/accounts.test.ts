// biome-ignore-all lint/suspicious/noExplicitAny: tests read loosely typed JSON answers
import pg from 'pg'
import t from 'tap'
import { LiveClose } from '../src/contract/live.js'
import { tokenService } from '../src/http/tokens.js'
import { startTestHub } from './fixtures/hub.js'
import { openLive } from './fixtures/live.js'
import { addUser } from './fixtures/people.js'

// Accounts: guessing passwords is throttled per username and then locked; the password policy; changing
// one's own password; a live feed ends when its token does.

const SECRET_KEY = 'accounts-test-key-'.repeat(3)

t.test('accounts', async (t) => {
  const h = await startTestHub(t, { HUB_SECRET_KEY: SECRET_KEY, HUB_PASSWORD_MIN_LENGTH: '10' })
  const { api } = h
  const admin = () => h.login()
  const login = (username: string, password: string) =>
    api('POST', '/api/v1/auth/login', { username, password })
  const db = new pg.Client({ connectionString: h.hub.databaseUrl })
  await db.connect()
  t.teardown(() => db.end())

  await t.test('the password policy', async (t) => {
    const token = await admin()
    const create = (username: string, password: string) =>
      api('POST', '/api/v1/users', { username, password, role: 'operator' }, token)
    for (const [password, why] of [
      ['nine-char', 'shorter than HUB_PASSWORD_MIN_LENGTH'],
      ['qwertyuiop', 'a most common password'],
      ['Operator.Li', 'the username'],
    ]) {
      const res = await create('operator.li', password!)
      t.same([res.status, res.body.details?.[0]?.field], [400, 'body.password'], `refused: ${why}`)
    }
    t.equal((await create('operator.li', 'ten chars!')).status, 201, 'a long enough uncommon one is fine')
  })

  await t.test('guessing is throttled per username, then the right password still works', async (t) => {
    const u = await addUser(h, 'operator')
    for (let i = 1; i <= 4; i++) t.equal((await login(u.username, `wrong-${i}`)).status, 401, `wrong #${i}`)
    const fifth = await fetch(`${h.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u.username, password: 'wrong-5' }),
    })
    t.same([fifth.status, (await fifth.json()).error], [429, 'HUB_ERR_TOO_MANY_ATTEMPTS'], 'the 5th: 429')
    const wait = Number(fifth.headers.get('retry-after'))
    t.ok(wait >= 1, `with Retry-After (${wait} s)`)
    t.equal(
      (await login(u.username, u.password)).status,
      429,
      'even the right password waits out the back-off',
    )
    await new Promise((r) => setTimeout(r, wait * 1000 + 200))
    t.equal((await login(u.username, u.password)).status, 200, 'after it, the right password works')
    t.equal((await login(u.username, 'wrong-again')).status, 401, 'and the count started again')
  })

  await t.test('a parallel burst of guesses gets at most the free attempts', async (t) => {
    const u = await addUser(h, 'operator')
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => login(u.username, `guess-${i}`)))
    const checked = answers.filter((a) => a.status === 401).length
    t.ok(checked <= 4, `${checked} of 30 were checked as plain wrong passwords`)
    t.equal(answers.filter((a) => a.status === 429).length, 30 - checked, 'the rest were throttled')
    t.equal((await login(u.username, u.password)).status, 429, 'the right one does not slip in')
  })

  await t.test(
    'the 10th wrong password locks the account until it expires or an admin resets it',
    async (t) => {
      const u = await addUser(h, 'operator')
      // nine failures already, their back-off over (waiting out 1 + 2 + 4 + 8 s here would only slow the test)
      await db.query('INSERT INTO login_failures (username, failures) VALUES ($1, 9)', [u.username])
      const tenth = await login(u.username, 'wrong-10')
      t.same([tenth.status, tenth.body.error], [423, 'HUB_ERR_LOCKED'])
      t.equal((await login(u.username, u.password)).status, 423, 'the right password cannot open it')
      const reset = await api(
        'PATCH',
        `/api/v1/users/${u.user.id}`,
        { password: 'a fresh start' },
        await admin(),
      )
      t.equal(reset.status, 200)
      t.equal((await login(u.username, 'a fresh start')).status, 200, 'an admin-set password lifts the lock')
    },
  )

  await t.test('changing one’s own password', async (t) => {
    const u = await addUser(h, 'staff', { siteIds: [(await h.provision()).site.id] })
    const change = (body: unknown, token = u.token) => api('POST', '/api/v1/auth/password', body, token)
    const wrong = await change({ currentPassword: 'not it', newPassword: 'a new long one' })
    t.same([wrong.status, wrong.body.details[0].field], [400, 'body.currentPassword'])
    const weak = await change({ currentPassword: u.password, newPassword: '1234567890' })
    t.same([weak.status, weak.body.details[0].field], [400, 'body.newPassword'])
    const other = await h.login(u.username, u.password)
    const ok = await change({ currentPassword: u.password, newPassword: 'a new long one' })
    t.equal(ok.status, 200, 'changed, with a fresh token')
    t.equal(
      (await api('GET', '/api/v1/auth/me', undefined, ok.body.token)).status,
      200,
      'the fresh token works',
    )
    for (const old of [u.token, other]) {
      t.equal((await api('GET', '/api/v1/auth/me', undefined, old)).status, 401, 'earlier tokens are ended')
    }
    t.equal((await login(u.username, 'a new long one')).status, 200)
    t.equal((await login(u.username, u.password)).status, 401, 'the old password no longer works')
  })

  await t.test('a live feed is closed when its token expires', async (t) => {
    // a token of the hub's own kind that lives 6 s (the hub's are 12 h)
    const me = (await api('GET', '/api/v1/auth/me', undefined, h.token)).body
    const { rows } = await db.query('SELECT token_epoch AS ep FROM users WHERE id = $1', [me.id])
    t.equal(rows.length, 1, 'the admin row')
    const short = tokenService(SECRET_KEY, 6_000).issue({
      sub: me.id,
      name: me.username,
      role: me.role,
      ep: rows[0]?.ep,
    })
    const feed = await openLive(t, h.hub.httpPort, short.token)
    t.equal(await feed.waitForClose(), LiveClose.accountChanged, 'closed with 4401')
    t.equal(
      (await api('GET', '/api/v1/auth/me', undefined, short.token)).status,
      401,
      'as the token is refused',
    )
  })
})
