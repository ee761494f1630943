export default definePageConfig({ navigationBarTitleText: '举报人信息' })
