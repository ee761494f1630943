import { Progress, Text, View } from '@tarojs/components'
import { formatBytes } from '@/domain/format'
import { formatRemaining, type JobView } from '@/outbox'

/** Whole percent, never NaN; 100 only when really complete. */
export function percentOf(done: number, total: number): number {
  if (total <= 0) return 0
  const p = Math.floor((done / total) * 100)
  return Math.max(0, Math.min(100, p))
}

/** Upload progress over the report object and every attachment (ciphertext bytes). */
export function uploadPercent(view: JobView): number {
  const { job, progress } = view
  if (job.phase === 'done' || job.phase === 'finalizing') return 100
  if (!job.report) return 0
  const reportDone = job.phase === 'uploading' ? job.report.size : 0
  return percentOf(reportDone + progress.uploaded.done, job.report.size + progress.uploaded.total)
}

export function encryptPercent(view: JobView): number {
  if (view.job.phase !== 'encrypting') return 100
  return percentOf(view.progress.encrypted.done, view.progress.encrypted.total)
}

export function Bar({ label, percent, testId, detail }: { label: string; percent: number; testId?: string; detail?: string }) {
  return (
    <View className="bar" data-testid={testId} data-percent={percent}>
      <View className="bar__head">
        <Text className="bar__label">{label}</Text>
        <Text className="bar__value">{detail ? `${detail} · ` : ''}{percent}%</Text>
      </View>
      <Progress percent={percent} strokeWidth={10} activeColor="#9f1d20" backgroundColor="#e6e6e6" borderRadius={5} />
    </View>
  )
}

/** "还需约 2 分钟" once the runner has seen enough of a stage to estimate it. */
function left(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : `还需${formatRemaining(ms)}`
}

/**
 * The three stages of sending a report, each with its bar: encryption on the phone (plaintext
 * bytes) and upload (ciphertext bytes the server holds) are shown separately, each with the time
 * left once a few pieces are done. The job lives in the outbox, not in this page: a resident can
 * leave and come back, and the bars pick up where the runner is.
 */
export function SendProgress({ view }: { view: JobView }) {
  const { job, progress, status } = view
  const encrypting = job.phase === 'encrypting'
  const files = progress.files.length > 0 ? progress.files : job.files.map((f) => ({ name: f.name, done: 0, total: f.size }))
  return (
    <View className="stages">
      <View className={`stage${encrypting ? ' stage--active' : ' stage--done'}`}>
        <Text className="stage__title">1. 在手机上加密{encrypting ? '' : '（已完成）'}</Text>
        {encrypting ? (
          <Bar
            label="加密进度"
            percent={encryptPercent(view)}
            testId="progress-encrypt"
            detail={left(progress.encryptLeftMs) ?? `${formatBytes(Math.min(progress.encrypted.done, progress.encrypted.total))} / ${formatBytes(progress.encrypted.total)}`}
          />
        ) : null}
      </View>
      <View className={`stage${job.phase === 'uploading' || job.phase === 'encrypted' ? ' stage--active' : encrypting ? '' : ' stage--done'}`}>
        <Text className="stage__title">2. 发送加密后的举报{job.files.length > 0 ? `和 ${job.files.length} 个材料` : ''}</Text>
        {files.map((f, n) => (
          <Bar
            key={n}
            label={f.name}
            percent={encrypting ? 0 : percentOf(f.done, f.total)}
            detail={encrypting ? undefined : `${formatBytes(Math.min(f.done, f.total))} / ${formatBytes(f.total)}`}
            testId="progress-file"
          />
        ))}
        <Bar label="总进度" percent={uploadPercent(view)} testId="progress-total" detail={left(progress.uploadLeftMs)} />
      </View>
      <View className={`stage${job.phase === 'done' ? ' stage--done' : job.phase === 'finalizing' ? ' stage--active' : ''}`}>
        <Text className="stage__title">3. 完成提交，生成查询码{job.phase === 'done' ? '（已完成）' : ''}</Text>
      </View>
      {status === 'sending' || status === 'encrypting' ? (
        <Text className="stage__note">
          可以离开这个页面做别的事，举报会继续加密和发送，在首页“待发送的举报”里可以查看进度。切到后台或关闭时会暂停，回来后自动从中断的地方继续，不会重复提交。
        </Text>
      ) : null}
    </View>
  )
}
