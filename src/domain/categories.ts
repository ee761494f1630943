/**
 * The eight categories of the notice's section 一、举报重点, (一)–(八).
 *
 * `description` is the notice's own paragraph, copied verbatim from the capture in
 * ../shared/seed/notice-2023-03-09.txt (punctuation included), except for (八): the notice gives no
 * paragraph for it (the one that follows is about rewards and surrender, see requirements.ts), so
 * its description is our own neutral wording and `descriptionQuoted` says so.
 *
 * Field semantics: a `required` field must be answered, and "不清楚" counts as an answer; other
 * fields may be left blank. See draft-model.ts#validateStep.
 */
import type { Category, CategoryCode, CategoryField } from './types'

export interface CategoryInfo extends Category {
  /** True when `description` is the notice's own text; false for (八), whose text is ours. */
  descriptionQuoted: boolean
}

const CODES: readonly CategoryCode[] = ['nude', 'loan', 'claim', 'smear', 'troll', 'collect', 'mlm', 'other']

const nudeFields: CategoryField[] = [
  { key: 'platform', label: '交友平台或App名称', placeholder: '如某交友App、某直播平台', kind: 'text', required: true },
  { key: 'accounts', label: '对方账号', placeholder: '对方的微信号、QQ号、平台ID、昵称等，每行一个', kind: 'multiline' },
  { key: 'appLinks', label: '对方让您下载的App或链接', placeholder: 'App 名称、下载链接或网址，每行一个', kind: 'namesOrLinks' },
  { key: 'amountDemanded', label: '对方索要金额（元）', placeholder: '如 20000', kind: 'amount' },
  { key: 'amountPaid', label: '您已转账金额（元）', placeholder: '未转账请填 0', kind: 'amount' },
  { key: 'payees', label: '收款账户', placeholder: '对方的银行卡号、支付宝或微信收款账户等', kind: 'multiline' },
]

const loanFields: CategoryField[] = [
  { key: 'app', label: '借款App或平台名称', placeholder: '如某某贷、某某借款App', kind: 'text', required: true },
  { key: 'appLinks', label: 'App下载链接或平台网址', placeholder: '每行一条', kind: 'links' },
  { key: 'contractAmount', label: '合同（借条）金额（元）', placeholder: '合同或借条上写的金额', kind: 'amount' },
  { key: 'receivedAmount', label: '实际到账金额（元）', placeholder: '扣除“服务费”等之后实际收到的钱', kind: 'amount' },
  { key: 'repaidAmount', label: '已还款金额（元）', placeholder: '累计已还的钱', kind: 'amount' },
  { key: 'collectorPhones', label: '催收人员电话', placeholder: '多个号码用逗号或换行分隔', kind: 'phones' },
]

const claimFields: CategoryField[] = [
  { key: 'shop', label: '您的店铺名称', placeholder: '被索赔的店铺', kind: 'text', required: true },
  { key: 'platform', label: '电商平台', placeholder: '如淘宝、京东、拼多多、抖音等', kind: 'text', required: true },
  { key: 'claimantAccounts', label: '索赔方账号', placeholder: '买家账号、昵称，每行一个', kind: 'multiline' },
  { key: 'orderNumbers', label: '相关订单号', placeholder: '每行一个', kind: 'multiline' },
  { key: 'amountClaimed', label: '对方索赔金额（元）', placeholder: '如 3000', kind: 'amount' },
  { key: 'amountPaid', label: '已被迫支付金额（元）', placeholder: '未支付请填 0', kind: 'amount' },
]

const smearFields: CategoryField[] = [
  { key: 'account', label: '自媒体账号名称', placeholder: '公众号、头条号、视频号等的名称或ID', kind: 'text', required: true },
  { key: 'platform', label: '所在平台', placeholder: '如微信公众号、今日头条、抖音等', kind: 'text' },
  { key: 'postLinks', label: '帖文链接', placeholder: '已发布或威胁发布的帖文链接，每行一条', kind: 'links' },
  { key: 'demand', label: '对方提出的要求', placeholder: '如签订“媒体保护”协议、购买高价商品、支付费用后删帖等', kind: 'multiline' },
  { key: 'amountDemanded', label: '对方索要金额（元）', kind: 'amount' },
  { key: 'amountPaid', label: '已支付金额（元）', placeholder: '未支付请填 0', kind: 'amount' },
]

const trollFields: CategoryField[] = [
  { key: 'siteLinks', label: '网站或账号链接', placeholder: '“黑网站”网址、发帖账号主页链接，每行一条', kind: 'links', required: true },
  { key: 'postLinks', label: '负面帖文链接', placeholder: '被批量转发的帖文链接，每行一条', kind: 'links' },
  { key: 'demand', label: '对方提出的要求', placeholder: '如付费删帖、停止转发的条件等', kind: 'multiline' },
  { key: 'amountDemanded', label: '对方索要金额（元）', kind: 'amount' },
]

const collectFields: CategoryField[] = [
  { key: 'phones', label: '骚扰电话或短信号码', placeholder: '多个号码用逗号或换行分隔', kind: 'phones', required: true },
  { key: 'messages', label: '短信或消息内容', placeholder: '请摘录辱骂、恐吓、威胁的原文', kind: 'multiline' },
  { key: 'frequency', label: '骚扰频率', placeholder: '如每天几十个电话、持续多久', kind: 'text' },
  { key: 'contactsHarassed', label: '是否骚扰了您的亲友、同事', placeholder: '如有，请说明被骚扰的人和方式', kind: 'multiline' },
  { key: 'amountDemanded', label: '对方索要金额（元）', kind: 'amount' },
]

const mlmFields: CategoryField[] = [
  { key: 'place', label: '传销窝点地点', placeholder: '地址、小区、楼栋，或能说清的大致位置', kind: 'multiline', required: true },
  { key: 'recruitLinks', label: '招聘、交友信息链接', placeholder: '诱骗用的招聘帖、交友信息链接，每行一条', kind: 'links' },
  { key: 'recruitAccounts', label: '发布信息的平台和账号', placeholder: '如某招聘App上的账号、微信号', kind: 'multiline' },
  { key: 'phones', label: '相关人员电话', placeholder: '多个号码用逗号或换行分隔', kind: 'phones' },
]

const otherFields: CategoryField[] = [
  { key: 'freeText', label: '补充说明', placeholder: '请说明涉及的网站、账号、人员和手段等', kind: 'multiline' },
]

export const CATEGORIES: readonly CategoryInfo[] = [
  {
    code: 'nude',
    ordinal: '(一)',
    name: '网络“裸聊”敲诈犯罪',
    description:
      '网络“裸聊”敲诈勒索犯罪团伙一般人数较多且分工明确,首要分子幕后操控,由“客服”负责通过互联网交友平台寻找目标,引诱被害人视频“裸聊”,录制或伪造被害人裸聊过程的视频、照片,并通过非法软件获取被害人手机通讯录,以此威胁进行敲诈勒索。',
    descriptionQuoted: true,
    evidenceGuidance:
      '最有用的证据：对方账号主页截图（昵称、头像、账号ID）；聊天记录和威胁信息截图；对方让您下载的App名称或下载链接；转账记录和对方收款账户（银行卡号、支付宝、微信等）。对方发来的不雅视频或照片请勿转发，截图时可只截取能说明威胁内容的部分。',
    fields: nudeFields,
  },
  {
    code: 'loan',
    ordinal: '(二)',
    name: '网络“套路贷”犯罪',
    description:
      '犯罪分子多以非法占有为目的,假借民间借贷之名,诱使或迫使被害人签订“借贷”,或变相“借贷”“抵押”“担保”等相关协议,通过虚增借贷金额、恶意制造违约、肆意认定违约、毁匿还款证据等方式形成虚假债权债务,并借助诉讼、仲裁、公证或者采用暴力、威胁以及其他手段非法占有被害人财物。',
    descriptionQuoted: true,
    evidenceGuidance:
      '最有用的证据：借款App或平台页面截图（名称、借款记录）；借款合同或借条；实际到账记录（银行或支付流水）；每一笔还款记录；催收电话的通话记录截图和催收短信截图。合同金额、到账金额与已还金额的差距是关键。',
    fields: loanFields,
  },
  {
    code: 'claim',
    ordinal: '(三)',
    name: '恶意索赔犯罪',
    description:
      '犯罪分子以维权打假为掩护、恶意索赔为目的,通过购买、持有众多非本人实名电商平台账号,批量购买目标商品,再以商品存在瑕疵、宣传用语使用“极限词”等借口,向商家强行索要相应“补偿”,若商家不妥协,则以大量差评或向电商平台、监管部门投诉为要挟,实施敲诈勒索犯罪。',
    descriptionQuoted: true,
    evidenceGuidance:
      '最有用的证据：相关订单截图（订单号、买家账号、收货地址）；与买家的聊天记录截图（索赔要求、威胁差评或投诉的原话）；差评或投诉记录截图；已支付“补偿”的转账或退款记录。同一批账号反复下单的情况请尽量汇总截图。',
    fields: claimFields,
  },
  {
    code: 'smear',
    ordinal: '(四)',
    name: '负面舆情敲诈犯罪',
    description:
      '犯罪分子通过搭建网络自媒体平台,打着“舆论监督”旗号,以持续发布或删除虚假捏造、扭曲事实的帖文相要挟,胁迫被害人以签订“媒体保护”协议或采购高价商品等方式,非法牟取利益。',
    descriptionQuoted: true,
    evidenceGuidance:
      '最有用的证据：自媒体账号主页截图；相关帖文链接和截图（帖文可能被删除，请尽快截图并记录发布时间）；对方提出要求的聊天记录或通话记录；“媒体保护”协议、合同或采购单据；付款记录。',
    fields: smearFields,
  },
  {
    code: 'troll',
    ordinal: '(五)',
    name: '网络“水军”滋事犯罪',
    description:
      '犯罪分子通过搭建“黑网站”,组织“水军”批量转发负面帖文,进而实施敲诈勒索犯罪,形成网络“水军”黑色产业链。',
    descriptionQuoted: true,
    evidenceGuidance:
      '最有用的证据：“黑网站”网址和页面截图；负面帖文链接及大量转发、评论的截图（含转发账号）；对方索要钱财或提出条件的聊天记录；付款记录。请尽量保留完整链接，便于查证。',
    fields: trollFields,
  },
  {
    code: 'collect',
    ordinal: '(六)',
    name: '网络“软暴力”催收犯罪',
    description:
      '犯罪分子通过虚拟网络电话通讯技术进行高频度骚扰,致使被害人及其联系人手机无法正常使用,或使用群发软件发送辱骂文字、侮辱性图片骚扰被害人及其关系人。通过信息网络恐吓、威胁,向被害人索要非法债务,致使被害人产生恐惧、恐慌,严重影响正常工作生活秩序。',
    descriptionQuoted: true,
    evidenceGuidance:
      '最有用的证据：通话记录截图（能看出号码、时间和次数）；辱骂、恐吓短信或消息截图；亲友、同事收到的骚扰信息截图；对方索要的债务来源（如借款App、借条）。请写明骚扰从何时开始、大约多频繁。',
    fields: collectFields,
  },
  {
    code: 'mlm',
    ordinal: '(七)',
    name: '暴力传销犯罪',
    description:
      '利用信息网络发布工作介绍、恋爱交友等信息,诱骗被害人进入传销窝点,使用威胁、恐吓等手段对被害人实施控制,胁迫被害人参与传销活动、继续发展他人参加传销活动,大肆实施传销、非法拘禁、故意伤害、故意杀人等违法犯罪活动。',
    descriptionQuoted: true,
    evidenceGuidance:
      '最有用的证据：传销窝点的地址或能说清的位置（小区、楼栋、附近标志）；诱骗用的招聘或交友信息截图和链接；相关人员的账号和电话；转账记录。如有人正被限制人身自由，请立即拨打110报警。',
    fields: mlmFields,
  },
  {
    code: 'other',
    ordinal: '(八)',
    name: '利用信息网络实施的其他涉黑涉恶违法犯罪',
    // Not quoted: the notice has no description paragraph for (八).
    description: '上述七类以外，利用互联网、信息网络实施的其他涉黑涉恶违法犯罪线索。',
    descriptionQuoted: false,
    evidenceGuidance:
      '最有用的证据：涉及的网址、链接和账号截图；聊天记录、威胁信息截图；网上交易和转账记录；能说明事情经过的其他材料。请尽量写清是谁、通过什么网站或App、用什么手段、造成了什么后果。',
    fields: otherFields,
  },
]

const BY_CODE: ReadonlyMap<string, CategoryInfo> = new Map(CATEGORIES.map((c) => [c.code, c]))

export function isCategoryCode(x: unknown): x is CategoryCode {
  return typeof x === 'string' && (CODES as readonly string[]).includes(x)
}

export function findCategory(code: string | undefined | null): CategoryInfo | undefined {
  return code == null ? undefined : BY_CODE.get(code)
}
