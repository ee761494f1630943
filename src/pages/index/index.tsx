import { View, Text } from '@tarojs/components'

export default function Index() {
  return (
    <View>
      <Text>你好</Text>
    </View>
  )
}
