export default definePageConfig({ navigationBarTitleText: '我的草稿' })
