import { Workbench } from './workbench/Workbench';

export default function Page() {
  return <Workbench />;
}
