/**
 * Internal notes: ciphertext only holders of the bureau's private key can open or make
 * (docs/protocol.md §19), so that every workstation sees them and the server reads none.
 * The server checks only shapes and sizes.
 */
import type { FastifyPluginAsync } from 'fastify'
import { ApiError } from '../../errors'
import { SUBMISSION_ID_PATTERN, decodeBase64 } from '../../routes/submissions'
import { audit, caseFor, type BureauContext } from '../auth'

/** A note's text is at most 5,000 characters: 20,000 UTF-8 bytes, plus JSON and the AEAD tag. */
export const MAX_NOTE_BYTES = 24 * 1024

const caseParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SUBMISSION_ID_PATTERN } },
} as const

const noteHeader = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 't', 'kid', 'nonce'],
  properties: {
    v: { type: 'integer', enum: [1] },
    t: { type: 'string', enum: ['bureau-note'] },
    kid: { type: 'string', pattern: '^[0-9a-f]{16}$' },
    nonce: { type: 'string', pattern: '^[A-Za-z0-9+/]{16}$' },
  },
} as const

interface NoteHeader {
  v: 1
  t: 'bureau-note'
  kid: string
  nonce: string
}

const notesRoutes: FastifyPluginAsync<BureauContext> = async (app, ctx) => {
  app.get<{ Params: { id: string } }>('/bureau/v1/cases/:id/notes', { schema: { params: caseParams } }, async (request) => {
    const s = await caseFor(ctx, request, request.params.id)
    const notes = await ctx.repository.listNotes(s.id)
    await audit(ctx, request, 'case.notes', s.id)
    return {
      notes: notes.map((n) => ({ id: n.id, tokenId: n.tokenId, createdAt: n.createdAt, header: JSON.parse(n.header) as NoteHeader, object: n.object.toString('base64') })),
    }
  })

  app.post<{ Params: { id: string }; Body: { id: string; header: NoteHeader; object: string } }>(
    '/bureau/v1/cases/:id/notes',
    {
      bodyLimit: Math.ceil((MAX_NOTE_BYTES * 4) / 3) + 1024,
      schema: {
        params: caseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'header', 'object'],
          properties: {
            id: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'chosen by the workstation (random): also the idempotency key' },
            header: noteHeader,
            object: { type: 'string', maxLength: Math.ceil(MAX_NOTE_BYTES / 3) * 4 },
          },
        },
      },
    },
    async (request, reply) => {
      const s = await caseFor(ctx, request, request.params.id)
      const object = decodeBase64(request.body.object)
      if (!object || object.length < 17) throw new ApiError('INVALID_BASE64', 'object is not canonical base64 of a sealed note', { field: '/object' })
      const header = JSON.stringify(request.body.header)
      const existing = (await ctx.repository.listNotes(s.id)).find((n) => n.id === request.body.id)
      if (existing) {
        if (existing.header === header && existing.object.equals(object)) return reply.code(200).send({ id: existing.id, createdAt: existing.createdAt })
        throw new ApiError('NOTE_ID_REUSED', 'This note id was used for another note')
      }
      const note = await ctx.repository.addNote({ id: request.body.id, caseId: s.id, tokenId: request.bureauToken.id, createdAt: ctx.now(), header, object })
      await audit(ctx, request, 'case.note', s.id)
      return reply.code(201).send({ id: note.id, createdAt: note.createdAt })
    },
  )
}

export default notesRoutes
