/**
 * The report draft as a sequence of steps: a new draft, per-step validation (the pages use it to
 * block leaving a step with invalid input), completeness, and the staleness rule.
 */
import dayjs from 'dayjs'
import { findCategory, isCategoryCode } from './categories'
import type { CampaignConfig, CategoryField, DraftReport } from './types'
import {
  countChars,
  isUnknown,
  validateAmount,
  validateDescription,
  validateHappenedAt,
  validateLink,
  validateMobile,
  validateNamesOrLinks,
  validateOptionalField,
  validatePhoneList,
  validateResidentId,
} from './validators'

export type StepId = 'category' | 'details' | 'evidence' | 'branch' | 'reporter' | 'declaration'

export const STEPS: readonly StepId[] = ['category', 'details', 'evidence', 'branch', 'reporter', 'declaration']

export const STEP_TITLES: Readonly<Record<StepId, string>> = {
  category: '举报类别',
  details: '受害经过',
  evidence: '证明材料',
  branch: '受理单位',
  reporter: '举报人信息',
  declaration: '承诺声明',
}

const MB = 1024 * 1024

export const LIMITS = {
  maxFiles: 20,
  maxFileBytes: 20 * MB,
  maxTotalBytes: 100 * MB,
  maxLinks: 20,
  /** Limit for `text` category fields and the party fields; `multiline` fields and party accounts use maxMultilineChars. */
  maxFieldChars: 500,
  maxMultilineChars: 5000,
  maxNameChars: 30,
} as const

/** Field path → Chinese message; empty when the step is valid. */
export type StepErrors = Record<string, string>

export const STALE_AFTER_DAYS = 30

export function emptyDraft(id: string, now: Date): DraftReport {
  const at = now.toISOString()
  return {
    id,
    createdAt: at,
    updatedAt: at,
    happenedAt: '',
    description: '',
    links: [],
    party: { accounts: '', phones: '', websites: '' },
    extra: {},
    attachments: [],
    // Anonymous by default: nothing personal is collected unless the reporter chooses to give it.
    reporter: { anonymous: true, name: '', mobile: '', idNumber: '' },
    declaration: { truthful: false, liability: false },
  }
}

/** Non-blank lines of a multi-line text. */
function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
}

/** Validates a list of links written one per line, or "不清楚". */
function validateLinkLines(text: string): string | null {
  if (isUnknown(text)) return null
  const all = lines(text)
  if (all.length > LIMITS.maxLinks) return `链接过多，最多填写${LIMITS.maxLinks}条`
  for (const l of all) {
    const err = validateLink(l)
    if (err) return `“${l.length > 40 ? l.slice(0, 40) + '…' : l}”：${err}`
  }
  return null
}

/** A category field's answer: blank is fine unless `required`; "不清楚" always answers it. */
export function validateCategoryField(field: CategoryField, value: string | undefined): string | null {
  const v = (value ?? '').trim()
  if (!v) return field.required ? `请填写${field.label}，不清楚请填写“不清楚”` : null
  if (isUnknown(v)) return null
  switch (field.kind) {
    case 'amount':
      return validateAmount(v)
    case 'phones':
      return validatePhoneList(v)
    case 'links':
      return validateLinkLines(v)
    case 'namesOrLinks':
      return validateNamesOrLinks(v, LIMITS.maxMultilineChars)
    case 'multiline':
      return validateOptionalField(v, LIMITS.maxMultilineChars)
    case 'text':
      return validateOptionalField(v, LIMITS.maxFieldChars)
  }
}

function formatMB(bytes: number): string {
  return `${Math.round((bytes / MB) * 10) / 10}MB`
}

function detailsErrors(draft: DraftReport, now: Date): StepErrors {
  const errors: StepErrors = {}
  const put = (path: string, msg: string | null) => {
    if (msg) errors[path] = msg
  }
  put('happenedAt', validateHappenedAt(draft.happenedAt, now))
  put('description', validateDescription(draft.description))
  const filled = draft.links.filter((l) => l.trim() !== '')
  if (filled.length > LIMITS.maxLinks) put('links', `链接过多，最多填写${LIMITS.maxLinks}条`)
  // Blank rows are empty inputs the reporter has not used; they are not errors.
  draft.links.forEach((l, i) => {
    if (l.trim() !== '') put(`links.${i}`, validateLink(l))
  })
  put('party.accounts', validateOptionalField(draft.party.accounts, LIMITS.maxMultilineChars))
  if (draft.party.phones.trim()) put('party.phones', validatePhoneList(draft.party.phones))
  // The label asks for websites or App names: a name is free text, a link is checked as a link.
  put('party.websites', validateNamesOrLinks(draft.party.websites, LIMITS.maxMultilineChars))
  const category = findCategory(draft.category)
  for (const field of category?.fields ?? []) {
    put(`extra.${field.key}`, validateCategoryField(field, draft.extra[field.key]))
  }
  return errors
}

function evidenceErrors(draft: DraftReport): StepErrors {
  const errors: StepErrors = {}
  const files = draft.attachments
  if (files.length > LIMITS.maxFiles) {
    errors.attachments = `最多上传${LIMITS.maxFiles}个文件，现在有${files.length}个，请删除${files.length - LIMITS.maxFiles}个`
  }
  let total = 0
  files.forEach((f, i) => {
    total += f.size
    if (f.size <= 0) errors[`attachments.${i}`] = `“${f.name}”是空文件，请删除后重新选择`
    else if (f.size > LIMITS.maxFileBytes) {
      errors[`attachments.${i}`] = `“${f.name}”有${formatMB(f.size)}，单个文件不能超过${formatMB(LIMITS.maxFileBytes)}`
    }
  })
  if (!errors.attachments && total > LIMITS.maxTotalBytes) {
    errors.attachments = `文件合计${formatMB(total)}，总大小不能超过${formatMB(LIMITS.maxTotalBytes)}，请删除部分文件`
  }
  return errors
}

function reporterErrors(draft: DraftReport, now: Date): StepErrors {
  const r = draft.reporter
  if (r.anonymous) return {}
  const errors: StepErrors = {}
  const name = r.name.trim()
  if (!name) errors['reporter.name'] = '实名举报请填写姓名'
  else if (countChars(name) > LIMITS.maxNameChars) errors['reporter.name'] = `姓名不能超过${LIMITS.maxNameChars}个字`
  const mobile = validateMobile(r.mobile)
  if (mobile) errors['reporter.mobile'] = mobile
  if (r.idNumber.trim()) {
    const id = validateResidentId(r.idNumber, now)
    if (id) errors['reporter.idNumber'] = id
  }
  return errors
}

export function validateStep(step: StepId, draft: DraftReport, config: CampaignConfig, now: Date): StepErrors {
  switch (step) {
    case 'category':
      return isCategoryCode(draft.category) && config.categories.includes(draft.category)
        ? {}
        : { category: '请选择举报类别' }
    case 'details':
      return detailsErrors(draft, now)
    case 'evidence':
      return evidenceErrors(draft)
    case 'branch':
      return draft.branch && config.branches.some((b) => b.code === draft.branch) ? {} : { branch: '请选择受理单位' }
    case 'reporter':
      return reporterErrors(draft, now)
    case 'declaration': {
      const errors: StepErrors = {}
      if (!draft.declaration.truthful) errors['declaration.truthful'] = '请确认线索真实'
      if (!draft.declaration.liability) errors['declaration.liability'] = '请确认已知悉诬告陷害的法律责任'
      return errors
    }
  }
}

export interface Completeness {
  done: number
  total: number
  /** Steps with errors, in step order. */
  missing: StepId[]
}

/** A step counts as done when `validateStep` finds nothing (evidence is optional, so it is done when within limits). */
export function draftCompleteness(draft: DraftReport, config: CampaignConfig, now: Date = new Date()): Completeness {
  const missing = STEPS.filter((s) => Object.keys(validateStep(s, draft, config, now)).length > 0)
  return { done: STEPS.length - missing.length, total: STEPS.length, missing }
}

/** Untouched for STALE_AFTER_DAYS days or more; a draft without a readable date counts as stale. */
export function isStale(draft: DraftReport, now: Date): boolean {
  const touched = dayjs(draft.updatedAt || draft.createdAt || '')
  if (!touched.isValid()) return true
  return dayjs(now).diff(touched, 'day') >= STALE_AFTER_DAYS
}
