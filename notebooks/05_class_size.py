# %% [markdown]
# # 班额与学位预测
#
# 本笔记本回答三个问题：
#
# 1. 现在各学校、各镇街的班额如何？有多少班级超过标准（**小学 45 人、初中 50 人**）？
#    按教育部班额分级：36–45 人为正常，46–55 人为偏大班额，56–65 人为**大班额**，66 人及以上为**超大班额**。
# 2. 2019 年以来超标班额的变化趋势，以及按标准班额需要多少个班。
# 3. 到 2030 年各校在校生会有多少？现有教室够不够，哪里需要扩建或新建学校？
#
# 参数：`data_dir` 为数据路径（`None` = 合成演示数据），`year` 为学年（`None` = 最新），
# `township` 为镇街名称（`None` = 全县）。班额按所选范围统计；学位预测总是基于全县数据（学生会跨镇街流动、向县城集中），
# 选择镇街时只显示该镇街的学校。

# %% tags=["parameters"]
# 参数 (parameters)
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import text
from jxedu.analysis import classsize, projection
from jxedu.analysis.rotation import for_township, to_chinese

# %%
ds_all = jxedu.open_data(data_dir)
ds = ds_all.subset_township(township)
text.synthetic_notice(ds_all)

# %% [markdown]
# ## 本学年班额概况

# %%
# NBVAL_CHECK_OUTPUT
print(classsize.key_figures(ds, year=year))

# %% [markdown]
# ## 各镇街班额分布

# %%
to_chinese(classsize.class_size_summary(ds, year=year, by="township"))

# %%
fig = classsize.plot_class_size_histogram(ds, year=year)

# %% [markdown]
# ## 变化趋势（2019 年以来）

# %%
trend = classsize.class_size_trend(ds)
fig = classsize.plot_class_size_trend(trend)

# %%
to_chinese(trend)

# %% [markdown]
# ## 超标班级最多的学校

# %%
to_chinese(classsize.top_oversize_schools(ds, year=year))

# %% [markdown]
# ## 按标准班额需要的班级数
#
# 每所学校每个年级按上限（小学 45 人、初中 50 人）需要的班级数 = 向上取整（学生数 ÷ 上限），与现有班级数比较。
# 下表只列需要增加班级的年级。

# %%
to_chinese(classsize.classes_needed(ds, year=year).query("extra_classes > 0"))

# %% [markdown]
# ## 学位预测到 2030 年
#
# 方法（年级递进法）：用历年各镇街的年级人数估计升级比例（某年级人数 ÷ 上一年低一年级人数），
# 用村居分年龄人口估计入学率（一年级人数 ÷ 6 岁人口），把现有学生逐年升级、新生按人口入学，
# 再按各校现在占镇街该年级的比例分到学校。三个方案：
#
# | 方案 | 入学人数系数 | 每年乡村学校学生流向城区学校的比例 |
# |---|---|---|
# | 低方案 | 0.95 | 0 |
# | 中方案 | 1.00 | 0.5% |
# | 高方案 | 1.05 | 1.0% |
#
# 这些是规划假设，不是标准；可以在设置文件的 `projection_variants` 项中调整（`get_settings(path=...)`，见 `jxedu/settings.py`）。

# %%
rates = projection.estimate_rates(ds_all)
rates.table().round(3)

# %%
projections = projection.project_variants(ds_all)
fig = projection.plot_projection(projections, ds_all, township=township)

# %%
# NBVAL_CHECK_OUTPUT
print(projection.key_figures(projections, ds_all, year=2030, township=township))

# %% [markdown]
# ## 教室是否够用
#
# 现有教室数取各校近 3 年中班级数最多的一年（数据中没有教室数一项）。镇街净缺口 = 缺教室学校的缺口 −
# 同镇街其他学校的富余教室；净缺口达到一所新学校的规模（小学 18 个班、初中 12 个班）时提示需新建学校。
# 下表为中方案 2030 年。

# %%
needs = projection.classroom_needs(projections["central"], ds_all)
to_chinese(for_township(projection.township_needs(needs), township).query("year == 2030"))

# %% [markdown]
# 2030 年（中方案）缺教室的学校：

# %%
to_chinese(for_township(needs, township).query("year == 2030 and shortfall > 0"))
