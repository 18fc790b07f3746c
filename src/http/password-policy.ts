import { z } from 'zod'
import { HubError } from '../errors.js'

// The password policy (ETSI EN 303 645 5.1, NIST SP 800-63B 5.1.1.2): a minimum length (HUB_PASSWORD_MIN_LENGTH,
// 8 to 12), no composition rules, and none of the passwords every guesser tries first.

export const passwordSchema = z.string().min(8, 'at least 8 characters').max(200)

/** The most used passwords of 8 characters or more (public breach corpora): refused outright. */
const commonPasswords = new Set([
  '12345678',
  '123456789',
  '1234567890',
  '11111111',
  '00000000',
  '87654321',
  '12341234',
  'password',
  'password1',
  'password123',
  'passw0rd',
  'qwertyui',
  'qwerty123',
  'qwertyuiop',
  '1qaz2wsx',
  'abc12345',
  'abcd1234',
  'iloveyou',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'welcome1',
  'admin123',
  'administrator',
  'letmein1',
  'changeme',
  'a1234567',
  'woaini1314',
  '5201314520',
  'aa123456',
])

/** Throws HUB_ERR_VALIDATION on `field` when the password does not meet the policy. */
export function checkPassword(
  password: string,
  username: string,
  minLength: number,
  field = 'body.password',
) {
  const problem =
    password.length < minLength
      ? `must have at least ${minLength} characters`
      : commonPasswords.has(password.toLowerCase())
        ? 'is one of the most common passwords: choose another'
        : password.toLowerCase() === username.toLowerCase()
          ? 'must not be the username'
          : null
  if (problem)
    throw new HubError('HUB_ERR_VALIDATION', `the password ${problem}`, [{ field, message: problem }])
}
