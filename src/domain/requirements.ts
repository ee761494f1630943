/**
 * The notice's report requirements (二、举报要求), its reward and surrender sentences, and the whole
 * notice as structured text. Everything marked "verbatim" is copied character for character from
 * the capture ../shared/seed/notice-2023-03-09.txt (its ASCII punctuation included); the tests
 * check that. The hints are our own words built around the notice's phrases.
 */

/** 二(一), verbatim: what a report should contain. */
export const REPORT_CONTENT_REQUIREMENT =
  '举报人检举、揭发提供的线索要尽量详细,需要提供明确有效的网址、链接,详细描述受害经过,以及其他相关证明材料,包含但不仅限于网页截图、网上交易记录等。'

/** Shown at the links input; quotes 二(一) "明确有效的网址、链接". */
export const LINKS_HINT =
  '请提供明确有效的网址、链接：从浏览器地址栏或App的“分享—复制链接”中复制完整地址，每个框填一条，更多链接请点“＋ 再添加一个链接”。没有链接可以不填。'

/** Shown at the description input; quotes 二(一) "详细描述受害经过". */
export const DESCRIPTION_HINT =
  '请详细描述受害经过：什么时间、通过什么网站或App、对方是谁（账号、电话）、对方说了什么做了什么、您损失了什么。至少20个字。'

/** Shown at the evidence step; quotes 二(一) "网页截图、网上交易记录". */
export const EVIDENCE_HINT =
  '请上传相关证明材料，包含但不仅限于网页截图、网上交易记录（转账、付款记录）、聊天记录截图等。'

/** 二(二), verbatim: the reporter answers for the truth; false accusation is prosecuted. */
export const TRUTH_DECLARATION =
  '举报人对检举、揭发、提供线索的真实性负责,不得虚构和夸大事实,不得故意捏造事实和诬陷他人。对谎报或借举报之名诬告陷害他人的,将依法依规追究法律责任。'

/** 二(三), verbatim: confidentiality and protection of reporters. */
export const CONFIDENTIALITY_PROMISE =
  '对举报者、提供线索者,公安机关将严格保密,依法保护;对打击报复举报人、控告人的,坚决依法从严惩处。'

/** Verbatim: the reward sentence (in the capture it follows the heading (八)). */
export const REWARD_RULES =
  '凡检举、揭发涉网黑恶犯罪线索经查证属实的,公安机关将按照《大同市公安机关涉黑涉恶违法犯罪线索举报奖励办法》等相关规定,予以奖励。'

/** Verbatim: urging suspects to surrender, and the harbouring warning. */
export const SURRENDER_NOTICE =
  '敦促涉网黑恶犯罪嫌疑人立即主动向公安机关投案自首,争取宽大处理。凡是包庇窝藏犯罪分子、为犯罪分子通风报信、帮助毁灭或伪造犯罪证据的,公安机关将依法追究其法律责任。'

/** One paragraph of the notice; `subheading` marks lines like "(一)网络“裸聊”敲诈犯罪". */
export interface NoticeParagraph {
  kind: 'subheading' | 'text'
  text: string
}

export interface NoticeSection {
  /** E.g. "一、举报重点". */
  heading: string
  paragraphs: NoticeParagraph[]
}

export interface NoticeText {
  title: string
  preamble: string
  sections: NoticeSection[]
  issuer: string
  /** As printed, e.g. "2023年3月9日". */
  date: string
  /** ISO date of `date`. */
  isoDate: string
  source: string
}

const sub = (text: string): NoticeParagraph => ({ kind: 'subheading', text })
const para = (text: string): NoticeParagraph => ({ kind: 'text', text })

/**
 * The full notice, in the capture's order. Dropped from the capture: the news headline's suffix
 * "!举报方式见内-头条", the image caption "(资料图)" and the "来源:" label (kept as `source`).
 * The capture's section 三 holds only entries (十四) and (十六) of the original list.
 */
export const NOTICE_SECTIONS: NoticeText = {
  title: '大同关于公开征集涉互联网黑恶犯罪线索的通告',
  preamble:
    '为深入推进常态化扫黑除恶斗争在信息网络领域持续纵深开展,全面整治信息网络领域突出问题和行业乱象,严厉打击信息网络领域违法犯罪活动。根据公安部、省公安厅统一部署,大同市公安局决定自即日起至2023年底在全市范围内开展打击惩治涉网黑恶犯罪专项行动,欢迎广大市民积极检举揭发涉互联网黑恶违法犯罪线索。现将有关事项通告如下:',
  sections: [
    {
      heading: '一、举报重点',
      paragraphs: [
        sub('(一)网络“裸聊”敲诈犯罪'),
        para(
          '网络“裸聊”敲诈勒索犯罪团伙一般人数较多且分工明确,首要分子幕后操控,由“客服”负责通过互联网交友平台寻找目标,引诱被害人视频“裸聊”,录制或伪造被害人裸聊过程的视频、照片,并通过非法软件获取被害人手机通讯录,以此威胁进行敲诈勒索。',
        ),
        sub('(二)网络“套路贷”犯罪'),
        para(
          '犯罪分子多以非法占有为目的,假借民间借贷之名,诱使或迫使被害人签订“借贷”,或变相“借贷”“抵押”“担保”等相关协议,通过虚增借贷金额、恶意制造违约、肆意认定违约、毁匿还款证据等方式形成虚假债权债务,并借助诉讼、仲裁、公证或者采用暴力、威胁以及其他手段非法占有被害人财物。',
        ),
        sub('(三)恶意索赔犯罪'),
        para(
          '犯罪分子以维权打假为掩护、恶意索赔为目的,通过购买、持有众多非本人实名电商平台账号,批量购买目标商品,再以商品存在瑕疵、宣传用语使用“极限词”等借口,向商家强行索要相应“补偿”,若商家不妥协,则以大量差评或向电商平台、监管部门投诉为要挟,实施敲诈勒索犯罪。',
        ),
        sub('(四)负面舆情敲诈犯罪'),
        para(
          '犯罪分子通过搭建网络自媒体平台,打着“舆论监督”旗号,以持续发布或删除虚假捏造、扭曲事实的帖文相要挟,胁迫被害人以签订“媒体保护”协议或采购高价商品等方式,非法牟取利益。',
        ),
        sub('(五)网络“水军”滋事犯罪'),
        para('犯罪分子通过搭建“黑网站”,组织“水军”批量转发负面帖文,进而实施敲诈勒索犯罪,形成网络“水军”黑色产业链。'),
        sub('(六)网络“软暴力”催收犯罪'),
        para(
          '犯罪分子通过虚拟网络电话通讯技术进行高频度骚扰,致使被害人及其联系人手机无法正常使用,或使用群发软件发送辱骂文字、侮辱性图片骚扰被害人及其关系人。通过信息网络恐吓、威胁,向被害人索要非法债务,致使被害人产生恐惧、恐慌,严重影响正常工作生活秩序。',
        ),
        sub('(七)暴力传销犯罪'),
        para(
          '利用信息网络发布工作介绍、恋爱交友等信息,诱骗被害人进入传销窝点,使用威胁、恐吓等手段对被害人实施控制,胁迫被害人参与传销活动、继续发展他人参加传销活动,大肆实施传销、非法拘禁、故意伤害、故意杀人等违法犯罪活动。',
        ),
        sub('(八)利用信息网络实施的其他涉黑涉恶违法犯罪'),
        para(REWARD_RULES + SURRENDER_NOTICE),
      ],
    },
    {
      heading: '二、举报要求',
      paragraphs: [
        para('(一)' + REPORT_CONTENT_REQUIREMENT),
        para('(二)' + TRUTH_DECLARATION),
        para('(三)' + CONFIDENTIALITY_PROMISE),
      ],
    },
    {
      heading: '三、举报方式',
      paragraphs: [
        para('(十四)大同市公安局御东分局扫黑办地址:山西省大同市公安局御东分局扫黑办,邮编:037009,举报电话:0352-7788110。'),
        para('(十六)大同市公安局直属分局扫黑办:地址:山西省大同市公安局直属分局扫黑办,邮编:037000,举报电话:0352-6023774。'),
      ],
    },
  ],
  issuer: '大同市公安局扫黑办',
  date: '2023年3月9日',
  isoDate: '2023-03-09',
  source: '大同公安',
}
