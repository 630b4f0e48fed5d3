/**
 * Labelled cases: secrets. Every token below is random (made for this file), shaped like the
 * real thing. For credentials found by context (`password=…`, URLs, headers) the value alone
 * is the match; for tokens with a known shape the whole token is.
 */
import { c, type PiiCase } from './pii-case.ts';

const PEM_BODY =
  'aNrFWv5SRclfFhhqCmzhp59yZk4d6/GlThw+ZqyC85Nn7Jf30xIOdZh+NRwhUTv3\nL+Smo927U2aT1yVPMm5nYtffRcvy0Dxo5pCJFz2B30M8KVM+w8MDaD3vSS1Mmn7q\nOiqh1yudML66YbgqaD7XBPgUbqr2RbwXOq43IedbtWe27WH77hBlyqz/9PNldsWh\nECB7lavfWXTKTiVQ47qs==';
const RSA_BLOCK = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`;
const OPENSSH_BLOCK = `-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_BODY}\n-----END OPENSSH PRIVATE KEY-----`;
const JWT_HS256 =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IlRlc3QiLCJpYXQiOjE1MTYyMzkwMjJ9.Ttfc6y_xI25MTL3xzfMg5lJYj_loHI3Yhc1OxT-8QY4';
const JWT_RS256 =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20iLCJleHAiOjE3MzU2ODk2MDB9.-3BMDogiSTRIiP9LJm7R04ZhbGSdGWoZ6axl7KBGgMVGOYn7B3_5SApYXfE-1ds3vbgqMMvFuz4zf3ATNeY2Ps';
const JWT_ES256 =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJzY29wZSI6InJlYWQifQ.eh093Fj9fOptqCWCsuZrJZaVLaPeAU5moHH5F-grANC-aBcnwDDOOAZvw6d3eK3p';

export const SECRET_CASES: PiiCase[] = [
  c('AWS_ACCESS_KEY_ID=AKIAVQJXXVBOTHD2WTFL', ['SECRET', 'AKIAVQJXXVBOTHD2WTFL']),
  c('The docs use AKIAIOSFODNN7EXAMPLE as the access key id.', ['SECRET', 'AKIAIOSFODNN7EXAMPLE']),
  c('temporary creds: ASIAHBMUAPTT2ZN5X2PD (expires in 1h)', ['SECRET', 'ASIAHBMUAPTT2ZN5X2PD']),
  c('aws_secret_access_key = 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', ['SECRET', 'HVJWDBt2hWdQZUm14QhoxhLPAbQcEFUV2fsjGHb6']),
  c('"SecretAccessKey": "HVJWDBt2hWdQZUm14QhoxhLPAbQcEFUV2fsjGHb6"', ['SECRET', 'HVJWDBt2hWdQZUm14QhoxhLPAbQcEFUV2fsjGHb6']),
  c('export GITHUB_TOKEN=ghp_qN9Nifp28uwCDydesokF5NSAllsNdV40J599', ['SECRET', 'ghp_qN9Nifp28uwCDydesokF5NSAllsNdV40J599']),
  c('oauth token gho_dTCZWZYvRSZeyx4Ag8SsaxTmknuj64AX6VM2 leaked in CI logs', ['SECRET', 'gho_dTCZWZYvRSZeyx4Ag8SsaxTmknuj64AX6VM2']),
  c('installation token: ghs_ewMuBY6rfNcAKEIOUttYpATIk27f4t3tGolU', ['SECRET', 'ghs_ewMuBY6rfNcAKEIOUttYpATIk27f4t3tGolU']),
  c('user-to-server ghu_ByxRmXBYQ0DVbpag1xYKiuMw7TpHD8BHbNdZ', ['SECRET', 'ghu_ByxRmXBYQ0DVbpag1xYKiuMw7TpHD8BHbNdZ']),
  c('refresh=ghr_U0NYJ2gClNbc7Hrd0APsmYaUSRCsllZq3Zyc', ['SECRET', 'ghr_U0NYJ2gClNbc7Hrd0APsmYaUSRCsllZq3Zyc']),
  c(
    'git clone https://x: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@github.com/org/repo',
    ['SECRET', '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'],
  ),
  c('GitLab PAT glpat-Khe37ak1aSJARa7717tz (scope: api)', ['SECRET', 'glpat-Khe37ak1aSJARa7717tz']),
  c('SLACK_BOT_TOKEN: xoxb-928441201701-5239759217416-CYTHY2IvGYF0eYF2ExFJgKLD', ['SECRET', 'xoxb-928441201701-5239759217416-CYTHY2IvGYF0eYF2ExFJgKLD']),
  c(
    'curl -H "Authorization: Bearer xoxp-90537455885-227783756237-2240328099707-037860cf29ae36563d8b6da25a43a846" https://slack.com/api/auth.test',
    ['SECRET', 'xoxp-90537455885-227783756237-2240328099707-037860cf29ae36563d8b6da25a43a846'],
  ),
  c(
    'webhook_url: https://hooks.slack.com/services/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',
    ['SECRET', 'https://hooks.slack.com/services/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'],
  ),
  c("stripe.api_key = 'sk_live_JSbUGWBOWWcuaA5zbWVb2FaC'", ['SECRET', 'sk_live_JSbUGWBOWWcuaA5zbWVb2FaC']),
  c('STRIPE_SECRET_KEY=sk_test_o7du45pKcP753ivdSmDrUd7z', ['SECRET', 'sk_test_o7du45pKcP753ivdSmDrUd7z']),
  c('restricted key rk_live_14cKuuBNf0gmUBUhWRQdIAUD for the reporting job', ['SECRET', 'rk_live_14cKuuBNf0gmUBUhWRQdIAUD']),
  c('endpoint secret whsec_FbxtBetshRQNG3dhi4wVnX558GkvxThv', ['SECRET', 'whsec_FbxtBetshRQNG3dhi4wVnX558GkvxThv']),
  c('OPENAI_API_KEY="sk-wAESV5nkthBGJd8xncwjxTZVcUOpdxfWEIRH3KU3hOuNsFqr"', ['SECRET', 'sk-wAESV5nkthBGJd8xncwjxTZVcUOpdxfWEIRH3KU3hOuNsFqr']),
  c('client = OpenAI(api_key="sk-proj-N45P-ED75cNRqsKz5b70CO8W7RQHy2Yp_ptzsJqLu72rikBd")', ['SECRET', 'sk-proj-N45P-ED75cNRqsKz5b70CO8W7RQHy2Yp_ptzsJqLu72rikBd']),
  c(
    'x-api-key: sk-ant-api03-9DYpQaxEN_cNljiRkV71kDRuIr2jhTxs_OHKDpnJh-rgiOaPq-N9RtlnnudSkpmKog0Qwp-vaQcT7xl2-KP4b2lAA',
    ['SECRET', 'sk-ant-api03-9DYpQaxEN_cNljiRkV71kDRuIr2jhTxs_OHKDpnJh-rgiOaPq-N9RtlnnudSkpmKog0Qwp-vaQcT7xl2-KP4b2lAA'],
  ),
  c('https://maps.googleapis.com/maps/api/geocode/json?key=AIzaC6dT0ctPVnaawqrczLJWImKMG4hEbuUVDPD', ['SECRET', 'AIzaC6dT0ctPVnaawqrczLJWImKMG4hEbuUVDPD']),
  c('firebaseConfig = { apiKey: "AIzaR-m0k5iqkwUONAIifEcLav_q5ZvQmLL8ZrF", projectId: "demo" }', ['SECRET', 'AIzaR-m0k5iqkwUONAIifEcLav_q5ZvQmLL8ZrF']),
  c('//registry.npmjs.org/:_authToken=npm_YMZElLTCPPAwVv82BHZO0vk3ZdjYYCfrpx8I', ['SECRET', 'npm_YMZElLTCPPAwVv82BHZO0vk3ZdjYYCfrpx8I']),
  c('huggingface-cli login --token hf_H5vbljomsx29WujczU9YGP6SxWw4iUiE6L', ['SECRET', 'hf_H5vbljomsx29WujczU9YGP6SxWw4iUiE6L']),
  c('SENDGRID_API_KEY=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', ['SECRET', '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']),
  c(`Authorization: Bearer ${JWT_HS256}`, ['SECRET', JWT_HS256]),
  c(`{"access_token":"${JWT_RS256}","token_type":"Bearer","expires_in":3600}`, ['SECRET', JWT_RS256]),
  c(`Cookie: session=${JWT_ES256}; Path=/; HttpOnly`, ['SECRET', JWT_ES256]),
  c('unsigned token eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. accepted by the old verifier', ['SECRET', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']),
  c(`key.pem:\n${RSA_BLOCK}\n`, ['SECRET', RSA_BLOCK]),
  c(`~/.ssh/id_ed25519\n${OPENSSH_BLOCK}`, ['SECRET', OPENSSH_BLOCK]),
  c(
    '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n", "client_email": "svc@proj.iam.gserviceaccount.com"}',
    // The JSON string value as a whole (the assignment rule), escaped newline included.
    ['SECRET', '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n'],
    ['EMAIL', 'svc@proj.iam.gserviceaccount.com'],
  ),
  c(
    'pasted half a key:\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5pk8kOeqd9cT0oAoGCCqGSM49\n\nsorry, wrong clipboard',
    ['SECRET', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5pk8kOeqd9cT0oAoGCCqGSM49'],
  ),
  c('password=hunter2', ['SECRET', 'hunter2']),
  c('DB_PASSWORD=CorrectHorseBatteryStaple', ['SECRET', 'CorrectHorseBatteryStaple']),
  c('api_key: "c#Y3oLOr0Gls"', ['SECRET', 'c#Y3oLOr0Gls']),
  c('{"client_id": "web", "client_secret": "9f8e7d6c5b4a3f2e1d0c"}', ['SECRET', '9f8e7d6c5b4a3f2e1d0c']),
  c('database:\n  user: app\n  password: Tr0ub4dor&3\n  host: db', ['SECRET', 'Tr0ub4dor&3']),
  c('DATABASE_URL=postgres://app:s3cr3t-pw@db.internal:5432/app', ['SECRET', 's3cr3t-pw']),
  c('redis://:Zq8pL2mN@cache:6379/0', ['SECRET', 'Zq8pL2mN']),
  c('curl -H "Authorization: Bearer lSq2DBPxg3zTXD09lq9oC26U6j6mfVGM" https://api.example.com/v1/me', ['SECRET', 'lSq2DBPxg3zTXD09lq9oC26U6j6mfVGM']),
  c('Authorization: Basic YWRtaW46cGFzc3dvcmQxMjM=', ['SECRET', 'YWRtaW46cGFzc3dvcmQxMjM=']),
  c("mysql -u root -p'R00t!2024' -h 127.0.0.1", ['SECRET', 'R00t!2024']),
  c('The wifi password is BlueFalcon-77, do not share it.', ['SECRET', 'BlueFalcon-77']),
];
