# %% [markdown]
# # 学校布局调整方案
#
# 本笔记本评估一个学校布局调整方案（关闭、合并、新建、扩建学校，新增校车线路，调整划片），与现状逐项对比：
# 上学距离、超出步行距离的学生、校车覆盖、学校规模、需新增班级、七项资源配置指标及其差异系数。
# 方案写在 `data/scenarios/` 下的 YAML 文件中（格式见该文件夹的 README.md）；参数 `scenario` 填文件名。

# %% tags=["parameters"]
# 参数 (parameters)：data_dir = None 使用合成演示数据；year = None 使用最新学年；scenario 为方案文件名
data_dir = None
year = None
scenario = "close_teaching_point.yaml"

# %%
import jxedu
from jxedu.present import text
from jxedu.planning import optimize, scenarios

ds = jxedu.open_data(data_dir)
text.synthetic_notice(ds)

# %% [markdown]
# ## 方案内容
#
# 读取方案文件并逐项检查（出错时会指出文件名和行号）。

# %%
scn = scenarios.load_scenario(scenario)
print(scn.name)
print(scn.description)

# %% [markdown]
# ## 评估现状和方案
#
# 现状即“不做任何调整”。各村居的学龄儿童按就近、有学位的原则分配到学校（容量约束的线性规划，由 HiGHS 求解）；
# 学位容量默认为 班级数 × 班额上限（小学 45、初中 50）。因为考虑了学位容量，现状的平均上学距离比
# 《学校布局》笔记本中“只看最近学校”的结果略长。学生总数在任何方案下都保持不变。

# %%
base = scenarios.evaluate(ds, year=year)
res = scenarios.evaluate(ds, scn, year=year)

# %%
# NBVAL_CHECK_OUTPUT
print("学生总数不变：", res.summary["students"] == base.summary["students"])
print("关闭或并入", res.summary["closed"], "所，新建", res.summary["opened"], "所")
print("小学平均上学距离（米）：现状", round(base.summary["primary_mean_m"]), "，方案", round(res.summary["primary_mean_m"]))

# %% [markdown]
# ## 现状与方案对比

# %%
scenarios.compare([base, res])

# %% [markdown]
# ## 变化的学校和学生去向

# %%
scenarios.school_changes(res).head(15)

# %%
scenarios.moves_table(res).head(15)

# %% [markdown]
# ## 变化地图
#
# 红色为关闭、橙色为并入、绿色为新建、蓝色为扩建、紫色为学生增减的学校；紫色虚线为改到新学校的村居。

# %%
# NBVAL_IGNORE_OUTPUT
scenarios.change_map(ds, res)

# %% [markdown]
# ## 小规模学校撤并排序
#
# 逐一假设关闭每所不足 100 人的小学、教学点（乡村小规模学校），学生分流到最近的有学位学校，
# 按增加的上学路程从小到大排序：排在前面的学校撤并对学生出行的影响最小。

# %%
ranking = optimize.closure_ranking(ds, stage="primary", year=year, labels=True)
ranking.head(10)

# %% [markdown]
# ## 选址建议
#
# 两种常用的选址模型，都由 HiGHS 求解器在几秒内算出：
#
# - **p-中位模型（总出行距离最小）**：在给定的学校数量下，使全部学生上学路程的总和最小——即“学校离孩子们整体最近”。
#   **有容量约束**时，每所学校只能接收其学位数（班级数 × 班额上限；新址按小学 36 班计）以内的学生，
#   多出的学生要到更远的学校，因此建议的位置会偏向现有学校学位紧张的地方。
# - **最大覆盖模型（覆盖人数最多）**：在给定的学校数量下，使步行距离（小学 2 公里）内能上学的学生最多——
#   关注的是“有多少孩子能走着上学”，而不是平均路程。
#
# 下面保留全部现有小学，在全县 2 公里网格的候选点中再选 3 处新址。网格点只是示意位置：
# **模型结果是规划参考，不是决定**，每个建议位置都需要实地核查用地、道路、安全和学区等条件后才能进入方案。

# %%
n_primary = int((base.schools["stage"] == "primary").sum())
pmed = optimize.suggest_sites(ds, stage="primary", p=n_primary + 3, keep="existing", year=year)
pmed.table()

# %%
pmed.new_sites()

# %% [markdown]
# 有容量约束的 p-中位：新址放在学位最紧张的地方，使全部学生都有学位且总路程最短。

# %%
pmed_cap = optimize.suggest_sites(ds, stage="primary", p=n_primary + 3, keep="existing", capacitated=True, year=year)
pmed_cap.table()

# %%
pmed_cap.new_sites()

# %% [markdown]
# 最大覆盖：新址放在步行距离内还没有学校的学生最多的地方。

# %%
mclp = optimize.suggest_sites(ds, stage="primary", p=n_primary + 3, keep="existing", model="mclp", year=year)
mclp.table()

# %%
mclp.new_sites()

# %% [markdown]
# ## 交互式探索
#
# 选择要关闭的学校、调整容量系数或选择方案文件，对比表和地图随之更新。

# %%
# NBVAL_IGNORE_OUTPUT
scenarios.explorer(ds, year=year)
