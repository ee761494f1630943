/**
 * Playing a particular build of the app in jest: which signing key is built in as the trust
 * anchor, and whether it is a release build (what config/trust.ts defines as CLUE_TRUST).
 */
import fs from 'node:fs'
import { buildTrust } from '../../config/trust'
import bundledCampaign from '../../campaign/campaign.json'
import { offerKeyList, resetKeyStoreForTests } from '@/keys/store'
import type { SigningKeyPair } from '../../server/src/keylist'

type Trust = { anchor: { kid: string; publicKey: string; development: boolean }; release: boolean }

function setTrust(trust: Trust | undefined): void {
  ;(globalThis as { CLUE_TRUST?: unknown }).CLUE_TRUST = trust
  resetKeyStoreForTests()
}

/** The app as built with `signing` as its anchor (release: as `--mode release` would build it). */
export function buildAppWithAnchor(signing: SigningKeyPair, options: { release?: boolean } = {}): void {
  setTrust({ anchor: { kid: signing.kid, publicKey: signing.publicKey.toString('base64'), development: false }, release: options.release === true })
}

/** Back to what jest's setup defines: a development build of the repository's campaign. */
export function restoreDevelopmentBuild(): void {
  setTrust(buildTrust(bundledCampaign, 'development'))
}

/** The phone accepted the key list in `file` (as when it fetched it at launch); fails otherwise. */
export function phoneAccepts(file: string): void {
  const result = offerKeyList(JSON.parse(fs.readFileSync(file, 'utf8')))
  if (!result.accepted) throw new Error(`the phone refused ${file}: ${result.reason}`)
}
