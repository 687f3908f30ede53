# %% [markdown] tags=["report-skip"]
# # 全县义务教育优质均衡发展监测报告（笔记本）
#
# 本笔记本生成全县汇总的定期通报。`jxedu reports 数据路径` 在生成各镇街报告的同时执行它，输出 `reports/<学年>/全县.pdf`；
# 也可以在这里改参数后逐格运行查看。报告内容全部来自 `jxedu.publish.sections` 中的函数。
#
# 参数：`data_dir` 数据路径（`None` 为合成演示数据），`year` 学年（`None` 为最新学年）。

# %% tags=["parameters"]
# 参数 (parameters)
data_dir = None
year = None

# %%
from jxedu.publish import sections as rc

ds = rc.open_report_data(data_dir)

# %%
rc.title(ds, year=year)

# %%
rc.synthetic_notice(ds)

# %% tags=["report-skip"]
# NBVAL_CHECK_OUTPUT
print(rc.key_figures(ds, year=year))

# %% [markdown]
# ## 一、关键数字
#
# 全县关键数字与国家县域义务教育优质均衡发展标准（教督〔2017〕6号）和县级规划目标对照。

# %%
rc.headline(ds, year=year)

# %% [markdown]
# ## 二、校际差异系数
#
# 各项资源配置指标的校际差异系数（按学生数加权），小学不超过 0.50、初中不超过 0.45 为达标。

# %%
rc.cv_table(ds, year=year)

# %% [markdown]
# ## 三、学校资源配置达标情况
#
# 各镇街参评学校（学段）的达标数，以及全部未达标学校的 7 项指标（第一行为标准值，红色数值低于标准）。

# %%
rc.school_table(ds, year=year)

# %% [markdown]
# ## 四、达标所需的整改投入
#
# 使每所未达标学校（学段）达标所需的最少措施，按镇街合计。各校明细见各镇街报告。

# %%
rc.shortfall_table(ds, year=year)

# %% [markdown]
# ## 五、学校布局

# %%
# NBVAL_IGNORE_OUTPUT
rc.layout_figure(ds, year=year)

# %% [markdown]
# ## 六、公交助学（校车）覆盖
#
# 超出步行距离的学龄儿童中，有公交助学线路通往其划片学校的比例。

# %%
rc.bus_section(ds, year=year)

# %% [markdown]
# ## 七、教师交流轮岗
#
# 县级规划目标：每年城镇学校向乡村和薄弱学校交流轮岗不少于 400 人；交流人数不低于符合条件教师的 10%，其中骨干教师不低于 20%。

# %%
rc.rotation_section(ds, year=year)

# %% [markdown]
# ## 八、班额与在校生预测

# %%
rc.class_size_section(ds, year=year)

# %%
# NBVAL_IGNORE_OUTPUT
rc.projection_figure(ds, year=year)

# %% [markdown]
# ## 九、整改台账（全县事项）
#
# 整改台账中全县层面尚未达标的事项；各校事项见各镇街报告和台账 Excel。

# %%
rc.ledger_items(ds, year=year)
