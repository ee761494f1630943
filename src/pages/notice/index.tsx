import { Text, View } from '@tarojs/components'
import { NOTICE_SECTIONS } from '@/domain/requirements'

/** The notice as published, so residents can read exactly what the police asked for. */
export default function NoticePage() {
  const n = NOTICE_SECTIONS
  return (
    <View className="page notice">
      <Text className="notice__title">{n.title}</Text>
      <Text className="notice__para">{n.preamble}</Text>
      {n.sections.map((s) => (
        <View key={s.heading} className="notice__section">
          <Text className="notice__heading">{s.heading}</Text>
          {s.paragraphs.map((p, i) => (
            <Text key={i} className={p.kind === 'subheading' ? 'notice__subheading' : 'notice__para'}>
              {p.text}
            </Text>
          ))}
        </View>
      ))}
      <Text className="notice__issuer">{n.issuer}</Text>
      <Text className="notice__issuer">{n.date}</Text>
      <Text className="notice__source">来源：{n.source}</Text>
    </View>
  )
}
