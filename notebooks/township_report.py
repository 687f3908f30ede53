# %% [markdown] tags=["report-skip"]
# # 镇街义务教育优质均衡发展监测报告（笔记本）
#
# 本笔记本生成一个镇街的定期通报。`jxedu reports 数据路径` 对每个镇街执行一次，输出 `reports/<学年>/<镇街>.pdf`；
# 也可以在这里改参数后逐格运行查看。报告内容全部来自 `jxedu.publish.sections` 中的函数，口径与各分析笔记本相同。
#
# 参数：`data_dir` 数据路径（`None` 为合成演示数据），`year` 学年（`None` 为最新学年），`township` 镇街名称。

# %% tags=["parameters"]
# 参数 (parameters)
data_dir = None
year = None
township = "金乡街道"

# %%
from jxedu.publish import sections as rc

ds = rc.open_report_data(data_dir)

# %%
rc.title(ds, year=year, township=township)

# %%
rc.synthetic_notice(ds)

# %% tags=["report-skip"]
# NBVAL_CHECK_OUTPUT
print(rc.key_figures(ds, year=year, township=township))

# %% [markdown]
# ## 一、关键数字
#
# 下表把本镇街的关键数字与国家县域义务教育优质均衡发展标准（教督〔2017〕6号）和县级规划目标对照。
# “结论”一栏只对有明确标准的项目给出判断。

# %%
rc.headline(ds, year=year, township=township)

# %% [markdown]
# ## 二、学校资源配置达标情况
#
# 每所学校（一贯制学校按学部）的 7 项资源配置指标。第一行为标准值（小学/初中），红色数值表示低于标准。

# %%
rc.school_table(ds, year=year, township=township)

# %% [markdown]
# ## 三、差距与整改措施
#
# 对每所未达标的学校（学段），列出使其达标所需的最少措施：先补齐低于标准 85% 的指标，再补齐差距最小的指标，直到 7 项中有 6 项达到标准。

# %%
rc.shortfall_table(ds, year=year, township=township)

# %% [markdown]
# ## 四、学校布局
#
# 本镇街的学校、村居和公交助学线路。

# %%
# NBVAL_IGNORE_OUTPUT
rc.layout_figure(ds, year=year, township=township)

# %% [markdown]
# ## 五、公交助学（校车）覆盖
#
# 按划片学校计算每个村居的上学距离；超出步行距离的村居，若 800 米内有通往其学校的公交助学线路站点，视为覆盖。

# %%
rc.bus_section(ds, year=year, township=township)

# %% [markdown]
# ## 六、教师交流轮岗
#
# 按本镇街学校派出的教师统计；每年 400 人（城镇学校到乡村和薄弱学校）为全县目标。

# %%
rc.rotation_section(ds, year=year, township=township)

# %% [markdown]
# ## 七、班额与在校生预测
#
# 标准班额：小学不超过 45 人，初中不超过 50 人。预测按各年级升级率和入学人口推算，给出低、中、高三个方案。

# %%
rc.class_size_section(ds, year=year, township=township)

# %%
# NBVAL_IGNORE_OUTPUT
rc.projection_figure(ds, year=year, township=township)

# %% [markdown]
# ## 八、整改台账事项
#
# 本镇街在整改台账（`jxedu ledger` 导出的 Excel）中尚未达标的事项。销号情况以台账为准。

# %%
rc.ledger_items(ds, year=year, township=township)
