# %% [markdown]
# # 学校布局调整方案
#
# 本笔记本评估一个学校布局调整方案（关闭、合并、新建、扩建学校，新增校车线路，调整划片），与现状逐项对比：
# 上学距离、超出步行距离的学生、校车覆盖、学校规模、缺少教室的班级、七项资源配置指标及其差异系数。
# 方案写在 YAML 文件中（格式见 `data/scenarios/README.md`）；参数 `scenario` 填文件名或路径（命令行：
# `jxedu notebooks 数据 --scenario 方案.yaml`）。`scenario = None` 时按数据自动生成一个示例方案：关闭在校生最少的教学点
# （数据中没有教学点时只列现状）。
#
# 方案总是在**全县范围**评估（学生可以跨镇街分到就近、有学位的学校）；参数 `township` 填一个镇街名称时，
# 下面的表格只列出该镇街的学校、学生去向和村居，地图突出显示该镇街。
#
# 默认只有被关闭、并入或缩减学校的学生，以及超出学校学位容量的学生转学，其他学生留在原校（县里撤并学校时的做法）；
# 方案文件写 `重新划片: [镇街]` 或 `重新划片: 是` 时，这些镇街（或全县）的学生按就近、有学位的原则重新分配。
# 费用按单位造价估算（元），建设投资和每年运行费用分开列出。

# %% tags=["parameters"]
# 参数 (parameters)：data_dir = None 使用合成演示数据；year = None 使用方案的基准学年（方案未写时为最新学年）；
# township = None 显示全县，填镇街名称只显示该镇街的行；scenario 为方案文件（None = 关闭在校生最少的教学点）
data_dir = None
year = None
township = None
scenario = None

# %%
import jxedu
from jxedu.planning import optimize, scenarios
from jxedu.present import access, text, widgets
from jxedu.present import scenarios as present

ds = jxedu.open_data(data_dir)
a = jxedu.assess(ds, year=year)
text.synthetic_notice(a)

# %% [markdown]
# ## 方案内容
#
# 读取方案文件并逐项检查（出错时会指出文件名和行号），然后评估现状（不做任何调整）和方案。
# 评估需要村居表（各村居的位置和学龄人口）；数据中没有时，下面各节说明缺少什么，不做计算。

# %%
chosen = scenario if scenario is not None else present.default_scenario(ds, year=year)
ready = a.missing("access") is None
present.unavailable_note(a, chosen)

# %%
base = scenarios.evaluate(ds, year=year) if ready else None
res = scenarios.evaluate(ds, chosen, year=year) if ready and chosen is not None else None
present.scenario_note(res)

# %% [markdown]
# 评估方法：

# %%
present.model_note(a)

# %% [markdown]
# 现状的两种口径：《学校布局》《校车》笔记本和县报告的上学距离是“就近入学（最近学校）”，方案的现状是
# “按学位容量分配”：

# %%
access.baselines_table(a.scope(township))

# %%
# NBVAL_CHECK_OUTPUT
print(present.headline(base, res))

# %% [markdown]
# ## 现状与方案对比（全县）

# %%
present.comparison_table([base, res])

# %% [markdown]
# ## 各镇街的变化
#
# 调整前后各镇街的学校、在校生、学龄人口的平均上学距离和超出步行距离的学生。

# %%
present.township_table(res, township=township)

# %% [markdown]
# ## 变化的学校和学生去向

# %%
present.school_changes_table(res, township=township, max_rows=15)

# %%
present.moves_table(res, township=township, max_rows=15)

# %% [markdown]
# ## 估算费用
#
# 按单位造价（`jxedu/data/unit_costs.csv`，每项注明来源；本县可在设置 `unit_costs` 中替换）估算，
# 建设投资和每年运行费用分开列出：

# %%
present.cost_table(res)

# %% [markdown]
# ## 变化地图
#
# 红色为关闭、橙色为并入、绿色为新建、蓝色为扩建、紫色为学生增减的学校；紫色虚线为改到新学校的村居。

# %%
# NBVAL_IGNORE_OUTPUT
present.change_map(ds, res, township=township)

# %% [markdown]
# ## 多个方案比选
#
# `data/scenarios/` 中的全部示例方案并列比较（最多 5 个）。同样的比较可以生成 PDF 发给发改、财政等部门：
# `jxedu scenario 数据 方案A.yaml 方案B.yaml … --pdf 方案比选.pdf`（每个方案一张变化地图、学生去向和估算费用）。

# %%
options, skipped = scenarios.evaluate_files(ds, scenarios.list_scenarios()[:5], year=year) if ready else ([], {})
present.comparison_table([base, *options])

# %%
present.skipped_note(skipped)

# %% [markdown]
# ## 小规模学校撤并排序
#
# 逐一假设关闭每所乡村小规模小学、教学点，学生分流到就近、有学位的学校，按增加的上学路程从小到大排序：
# 排在前面的学校撤并对学生出行的影响最小。

# %%
ranking = present.attempt(optimize.closure_ranking, ds, stage="primary", year=year) if ready else None
present.closure_table(ranking, township=township, max_rows=10)

# %% [markdown]
# ## 选址建议
#
# 两种常用的选址模型，都由 HiGHS 求解器算出：
#
# - **p-中位模型（总出行距离最小）**：在给定的学校数量下，使全部学生上学路程的总和最小——即“学校离孩子们整体最近”。
#   **有容量约束**时，每所学校只能接收其学位数（班级数 × 班额上限；新址的学位见下表）以内的学生，
#   多出的学生要到更远的学校，因此建议的位置会偏向现有学校学位紧张的地方。
# - **最大覆盖模型（覆盖人数最多）**：在给定的学校数量下，使步行距离（服务半径，见下表）内能上学的学生最多——
#   关注的是“有多少孩子能走着上学”，而不是平均路程。
#
# 下面保留全部现有小学，在网格候选点（全县，或参数 `township` 所指的镇街）中再选 3 处新址。候选点以最近的村居命名，
# 列出所在镇街和到最近道路的直线距离；离现有学校太近、在县域外或在“不可建设”图层内的点不作候选。网格点只是示意位置：
# **模型结果是规划参考，不是决定**，每个建议位置都需要实地核查用地、道路、安全和学区等条件后才能进入方案。
# 表中的“最优性差距”说明结果离理论最优还有多远；有容量约束时还检查“每个村居只考虑最近几处选址”的限制是否影响结果。

# %%
pmed = present.attempt(optimize.suggest_sites, ds, stage="primary", new_sites=3, keep="existing",
                       township=township, year=year) if ready else None
present.site_summary_table(pmed, caption="p-中位（总出行距离最小）")

# %%
present.new_sites_table(pmed)

# %% [markdown]
# 有容量约束的 p-中位：新址放在学位最紧张的地方，使全部学生都有学位且总路程最短。

# %%
pmed_cap = present.attempt(optimize.suggest_sites, ds, stage="primary", new_sites=3, keep="existing",
                           capacitated=True, township=township, year=year) if ready else None
present.site_summary_table(pmed_cap, caption="p-中位，有容量约束")

# %%
present.new_sites_table(pmed_cap)

# %% [markdown]
# 最大覆盖：新址放在步行距离内还没有学校的学生最多的地方。

# %%
mclp = present.attempt(optimize.suggest_sites, ds, stage="primary", new_sites=3, keep="existing", model="mclp",
                       township=township, year=year) if ready else None
present.site_summary_table(mclp, caption="最大覆盖（覆盖人数最多）")

# %%
present.new_sites_table(mclp)

# %% [markdown]
# ## 交互式探索
#
# 选择要关闭的学校、调整容量系数或选择方案文件，对比表和地图随之更新。

# %%
# NBVAL_IGNORE_OUTPUT
widgets.explorer(ds, year=year, township=township)
