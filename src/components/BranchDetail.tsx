import { Text, View } from '@tarojs/components'
import { LinkButton } from '@/components/LinkButton'
import Taro from '@tarojs/taro'
import type { BranchOffice } from '@/domain/types'

async function copy(text: string, what: string) {
  await Taro.setClipboardData({ data: text })
  Taro.showToast({ title: `${what}已复制`, icon: 'none' })
}

/** Address, postcode and phone of an office as configured; missing items are said to be missing, never made up. */
export function BranchDetail({ branch }: { branch: BranchOffice }) {
  return (
    <View className="branch__detail">
      {branch.address ? (
        <View className="row">
          <Text className="branch__line">地址：{branch.address}</Text>
          <LinkButton onClick={(e) => { e.stopPropagation(); copy(branch.address!, '地址') }}>复制</LinkButton>
        </View>
      ) : (
        <Text className="branch__line branch__line--missing">通告未公布地址</Text>
      )}
      {branch.postcode ? <Text className="branch__line">邮编：{branch.postcode}</Text> : null}
      {branch.phone ? (
        <View className="row">
          <Text className="branch__line">举报电话：{branch.phone}</Text>
          <LinkButton onClick={(e) => { e.stopPropagation(); Taro.makePhoneCall({ phoneNumber: branch.phone!.replace(/-/g, '') }).catch(() => undefined) }}>拨打</LinkButton>
          <LinkButton onClick={(e) => { e.stopPropagation(); copy(branch.phone!, '电话') }}>复制</LinkButton>
        </View>
      ) : (
        <Text className="branch__line branch__line--missing">通告未公布电话</Text>
      )}
    </View>
  )
}

