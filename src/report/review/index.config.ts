export default definePageConfig({ navigationBarTitleText: '核对举报内容' })
