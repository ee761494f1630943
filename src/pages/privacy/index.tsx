import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { STALE_AFTER_DAYS } from '@/domain/draft-model'
import { CONFIDENTIALITY_PROMISE } from '@/domain/requirements'
import { Hint } from '@/components/Hint'
import { wipeAllLocalData } from '@/drafts/wipe'
import { useKeyFingerprints } from '@/hooks/useKeyFingerprints'
import { goHome } from '@/navigation'
import { listJobs } from '@/outbox'

const KEPT_ON_PHONE = [
  '您正在填写的举报草稿：文字内容、所选类别和受理单位、举报人信息（如果选择实名）。',
  '您添加的截图和文件的副本，保存在本小程序的私有存储中，其他应用无法读取。',
  '提交过程中加密后的举报副本，在服务器确认收到前保留，以便断网后继续发送。',
  `${STALE_AFTER_DAYS} 天没有修改的草稿会在打开小程序时自动删除。`,
  '您在案件页面写了还没发送的回复和补充材料；发送后在服务器确认收到前，它们的加密副本也保留在手机上。',
  '只有您在查询码页面勾选“在本机保存查询码”时，才保存查询码和由它算出的密钥，用来查看新留言；拿到这部手机的人也能因此打开案件。可以在“我的案件”页面取消保存。',
]

const NOT_COLLECTED = [
  '不收集您的微信账号、位置、通讯录或设备信息。',
  '服务器不记录您的 IP 地址和设备型号。',
  '举报内容和材料在手机上用公安机关的公钥加密后才发送，服务器和传输途中的任何人都无法读取。',
]

export default function PrivacyPage() {
  const fingerprints = useKeyFingerprints()
  const wipe = async () => {
    // Say plainly what would be lost that cannot be recovered elsewhere: unsent reports, unsaved receipts.
    const jobs = listJobs()
    const unsent = jobs.filter((j) => j.phase !== 'done').length
    const unsavedReceipts = jobs.length - unsent
    const warnings = [
      unsent > 0 ? `有 ${unsent} 份举报还没有发送完成，删除后不会再发送。` : '',
      unsavedReceipts > 0 ? `有 ${unsavedReceipts} 份已提交举报的查询码您还没有确认保存，删除后无法再查看。` : '',
    ].join('')
    const { confirm } = await Taro.showModal({
      title: '删除本机全部数据？',
      content: `${warnings}所有草稿、已添加的材料和未发送的举报都会从这部手机上删除，无法恢复。已经提交成功的举报不受影响。`,
      confirmText: '全部删除',
      confirmColor: '#c62828',
    })
    if (!confirm) return
    await wipeAllLocalData()
    await Taro.showToast({ title: '已全部删除', icon: 'success' })
    goHome()
  }
  return (
    <View className="page">
      <Hint tone="safe" title="保密承诺" text={CONFIDENTIALITY_PROMISE} />
      <View className="section">
        <Text className="section__title">保存在这部手机上的内容</Text>
        {KEPT_ON_PHONE.map((t) => (
          <Text key={t} className="bullet">• {t}</Text>
        ))}
      </View>
      <View className="section">
        <Text className="section__title">我们不收集的信息</Text>
        {NOT_COLLECTED.map((t) => (
          <Text key={t} className="bullet">• {t}</Text>
        ))}
      </View>
      <View className="section">
        <Text className="section__title">为什么需要照片和文件权限</Text>
        <Text className="bullet">只在您点击“添加截图”或“添加交易记录”时读取您选中的文件，用来作为举报的证明材料。不授权也可以只提交文字举报。</Text>
      </View>
      <View className="section">
        <Text className="section__title">加密公钥指纹</Text>
        <Text className="bullet">举报在手机上加密给下面这把公安机关公钥。可以与公安机关公布的指纹逐位核对：</Text>
        <Text className="bullet fingerprint" data-testid="key-fingerprint">{fingerprints.encryption ?? '（未找到）'}</Text>
        <Text className="bullet">公钥列表由公安机关的签名密钥签发（签名密钥指纹 {fingerprints.signing ?? '（未内置）'}，列表序号 {fingerprints.sequence}）。</Text>
      </View>
      <Button className="btn btn--danger" onClick={wipe} data-testid="wipe-all">
        删除本机全部举报数据
      </Button>
    </View>
  )
}
