export default definePageConfig({ navigationBarTitleText: '正在提交举报' })
