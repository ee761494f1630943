export default definePageConfig({ navigationBarTitleText: '真实性声明' })
