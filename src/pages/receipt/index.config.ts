export default definePageConfig({ navigationBarTitleText: '保存查询码' })
