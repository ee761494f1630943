/**
 * Opening envelope objects of either version (docs/protocol.md): the independent node:crypto
 * implementation the bureau tools and the tests use. Shares no code with the client (src/crypto).
 * Header, label and key problems are reported before any file is touched.
 */
import { checkLabel, parseHeader, selectKey, type EnvelopeHeader, type PrivateKeys } from './header'
import { openObjectFileV1, openObjectV1 } from './v1'
import { openObjectFileV2, openObjectV2 } from './v2'

export interface OpenObjectOptions {
  header: EnvelopeHeader
  privateKey: PrivateKeys
  label: string
  /** The object's bytes as stored. */
  object: Uint8Array
}

/** Decrypts one object in memory (the report, or an attachment of up to tens of MB). */
export function openObject(options: OpenObjectOptions): Buffer {
  const header = parseHeader(options.header)
  checkLabel(options.label)
  selectKey(header, options.privateKey)
  return header.v === 1
    ? openObjectV1(header, options.privateKey, options.label, options.object)
    : openObjectV2(header, options.privateKey, options.label, options.object)
}

export interface OpenObjectFileOptions {
  header: EnvelopeHeader
  privateKey: PrivateKeys
  label: string
  /** File holding the object. */
  inputPath: string
  /** Where the plaintext goes; must not exist yet. Created only when everything verified. */
  outputPath: string
}

/** Decrypts an object file with bounded memory; returns the plaintext's size and SHA-256. */
export async function openObjectFile(options: OpenObjectFileOptions): Promise<{ size: number; sha256: string }> {
  const header = parseHeader(options.header)
  checkLabel(options.label)
  selectKey(header, options.privateKey)
  const { privateKey, label, inputPath, outputPath } = options
  return header.v === 1
    ? openObjectFileV1(header, privateKey, label, inputPath, outputPath)
    : openObjectFileV2(header, privateKey, label, inputPath, outputPath)
}
