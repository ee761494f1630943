import { Button, Text, View } from '@tarojs/components'
import { answerPrivacyRequest, usePrivacyRequest } from '@/services/privacy-requests'

/**
 * Asks for consent when WeChat needs it before opening the album, camera or chat files. The agree
 * button must carry openType agreePrivacyAuthorization and the id WeChat was told.
 */
export function PrivacyDialog() {
  const asking = usePrivacyRequest()
  if (!asking) return null
  return (
    <View className="dialog" role="dialog" aria-modal="true">
      <View className="dialog__panel">
        <Text className="dialog__title">需要您的授权</Text>
        <Text className="dialog__text">
          为了让您上传网页截图和网上交易记录，本小程序需要读取您选择的照片、拍摄的照片或聊天中的文件。文件会在手机上加密后才发送，只有公安机关能够查看。
        </Text>
        <Text className="dialog__text">不同意也可以继续举报：只提交文字描述和链接同样有效。</Text>
        <View className="dialog__actions">
          <Button className="btn btn--secondary" onClick={() => answerPrivacyRequest(false)}>
            不同意
          </Button>
          <Button
            className="btn btn--primary"
            id="privacy-agree"
            openType="agreePrivacyAuthorization"
            onAgreePrivacyAuthorization={() => answerPrivacyRequest(true)}
            onClick={() => answerPrivacyRequest(true)}
          >
            同意
          </Button>
        </View>
      </View>
    </View>
  )
}
